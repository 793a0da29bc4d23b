// Result writer: packs float32 results into AXI words (result k of a job at
// bits [32*(k mod RPW) +: 32] of word k / RPW, RPW = AxiDataBits / 32) and
// writes them from y_addr with INCR bursts that never cross 4 KiB. A burst
// is issued only when all its results are in the result FIFO, so the W beats
// follow the address without waiting for the PEs. The bytes of a partial
// last word beyond the job's rows get a zero strobe. A job is done when its
// last write response has arrived.

`include "lf_pkg.sv"

module lf_axi_writer #(
  parameter int unsigned AxiDataBits   = 128,
  parameter int unsigned AxiAddrBits   = 40,
  parameter int unsigned MaxBurstBeats = 16,
  parameter int unsigned ResDepth      = 16,   // result FIFO capacity (results)
  localparam int unsigned RowBits      = lf_pkg::ROW_BITS,
  localparam int unsigned ResCntBits   = $clog2(ResDepth + 1)
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // job descriptor
  input  logic                     desc_valid_i,
  input  logic [RowBits-1:0]       desc_rows_i,
  input  logic [AxiAddrBits-1:0]   desc_y_addr_i,
  output logic                     desc_pop_o,
  // result FIFO head
  input  logic                     res_valid_i,
  input  logic [31:0]              res_i,
  input  logic [ResCntBits-1:0]    res_count_i,
  output logic                     res_pop_o,
  // AXI write
  output logic                     axi_awvalid_o,
  input  logic                     axi_awready_i,
  output logic [AxiAddrBits-1:0]   axi_awaddr_o,
  output logic [7:0]               axi_awlen_o,
  output logic [2:0]               axi_awsize_o,
  output logic [1:0]               axi_awburst_o,
  output logic                     axi_wvalid_o,
  input  logic                     axi_wready_i,
  output logic [AxiDataBits-1:0]   axi_wdata_o,
  output logic [AxiDataBits/8-1:0] axi_wstrb_o,
  output logic                     axi_wlast_o,
  input  logic                     axi_bvalid_i,
  output logic                     axi_bready_o,
  input  logic [1:0]               axi_bresp_i,
  // status
  output logic                     job_done_o,
  output logic                     err_o
);

  localparam int unsigned AxiBytes   = AxiDataBits / 8;
  localparam int unsigned Rpw        = AxiDataBits / 32;            // results per word
  localparam int unsigned LaneBits   = lf_pkg::clog2_min1(Rpw);
  localparam int unsigned BeatShift  = $clog2(AxiBytes);
  // Bursts of at most half the result FIFO, so rows keep starting while a
  // burst's results wait for the address handshake.
  localparam int unsigned BurstCap   = lf_pkg::max_u(1, lf_pkg::min_u(MaxBurstBeats, ResDepth / (2 * Rpw)));
  localparam int unsigned LenBits    = $clog2(lf_pkg::max_u(BurstCap, lf_pkg::AXI_4K_BYTES / AxiBytes) + 1);
  localparam int unsigned BOutBits   = 8;

  logic                   in_job_d, in_job_q;
  logic [AxiAddrBits-1:0] addr_d, addr_q;
  logic [RowBits-1:0]     res_left_aw_d, res_left_aw_q;   // results not yet covered by an AW
  logic [RowBits-1:0]     burst_res_d, burst_res_q;       // results of the open burst not yet packed
  logic [LenBits-1:0]     burst_beats_d, burst_beats_q;   // W beats of the open burst not yet formed
  logic                   aw_pend_d, aw_pend_q;
  logic [LenBits-1:0]     aw_len_d, aw_len_q;
  logic [LaneBits-1:0]    lane_d, lane_q;
  logic [AxiDataBits-1:0] pack_d, pack_q;
  logic                   wv_d, wv_q, wl_d, wl_q;
  logic [AxiDataBits-1:0] wd_d, wd_q;
  logic [AxiBytes-1:0]    ws_d, ws_q;
  logic [BOutBits-1:0]    bout_d, bout_q;

  logic [LenBits-1:0]     to_4k, len;
  logic [RowBits-1:0]     words_left, need;
  logic                   word_done, w_free, b_fire, aw_fire;
  logic [AxiDataBits-1:0] pack_next;

  assign to_4k = LenBits'((lf_pkg::AXI_4K_BYTES - 32'(addr_q[11:0])) >> BeatShift);
  assign words_left = (res_left_aw_q + RowBits'(Rpw - 1)) >> $clog2(Rpw);

  always_comb begin
    len = to_4k;
    if (len > LenBits'(BurstCap)) begin
      len = LenBits'(BurstCap);
    end
    if (words_left < RowBits'(len)) begin
      len = LenBits'(words_left);
    end
    need = RowBits'(len) << $clog2(Rpw);
    if (need > res_left_aw_q) begin
      need = res_left_aw_q;
    end
  end

  assign w_free    = !wv_q || axi_wready_i;
  assign word_done = (lane_q == LaneBits'(Rpw - 1)) || (burst_res_q == RowBits'(1));
  // Words of a burst are formed only after its address was accepted, so W
  // never leads AW.
  assign res_pop_o = in_job_q && !aw_pend_q && (burst_res_q != '0) && res_valid_i
                  && (!word_done || w_free);
  assign aw_fire   = aw_pend_q && axi_awready_i;
  assign b_fire    = axi_bvalid_i;

  always_comb begin
    pack_next = pack_q;
    pack_next[lane_q*32 +: 32] = res_i;
  end

  always_comb begin
    in_job_d      = in_job_q;
    addr_d        = addr_q;
    res_left_aw_d = res_left_aw_q;
    burst_res_d   = burst_res_q;
    burst_beats_d = burst_beats_q;
    aw_pend_d     = aw_pend_q;
    aw_len_d      = aw_len_q;
    lane_d        = lane_q;
    pack_d        = pack_q;
    wv_d          = wv_q;
    wl_d          = wl_q;
    wd_d          = wd_q;
    ws_d          = ws_q;
    bout_d        = bout_q + BOutBits'(aw_fire) - BOutBits'(b_fire);
    desc_pop_o    = 1'b0;
    job_done_o    = 1'b0;

    if (wv_q && axi_wready_i) begin
      wv_d = 1'b0;
    end

    if (!in_job_q) begin
      if (desc_valid_i) begin
        in_job_d      = 1'b1;
        addr_d        = desc_y_addr_i;
        res_left_aw_d = desc_rows_i;
      end
    end else begin
      // Open a burst once the open one is fully packed and its results wait.
      if (!aw_pend_q && burst_beats_q == '0 && res_left_aw_q != '0 && bout_q != '1
          && res_count_i >= ResCntBits'(need)) begin
        aw_pend_d     = 1'b1;
        aw_len_d      = len;
        burst_beats_d = len;
        burst_res_d   = need;
        res_left_aw_d = res_left_aw_q - need;
        addr_d        = addr_q + (AxiAddrBits'(len) << BeatShift);
      end
      if (aw_fire) begin
        aw_pend_d = 1'b0;
      end
      // Pack results into words, hand complete words to the W register.
      if (res_pop_o) begin
        burst_res_d = burst_res_q - 1'b1;
        if (word_done) begin
          lane_d        = '0;
          pack_d        = '0;
          wv_d          = 1'b1;
          wd_d          = pack_next;
          ws_d          = '0;
          for (int l = 0; l < Rpw; l++) begin
            if (LaneBits'(l) <= lane_q) begin
              ws_d[l*4 +: 4] = 4'hF;
            end
          end
          wl_d          = (burst_beats_q == LenBits'(1));
          burst_beats_d = burst_beats_q - 1'b1;
        end else begin
          lane_d = lane_q + 1'b1;
          pack_d = pack_next;
        end
      end
      // Job done: everything issued, packed, sent and acknowledged.
      if (res_left_aw_q == '0 && burst_beats_q == '0 && !aw_pend_q && !wv_q
          && bout_q == '0) begin
        in_job_d   = 1'b0;
        desc_pop_o = 1'b1;
        job_done_o = 1'b1;
      end
    end
  end

  assign axi_awvalid_o = aw_pend_q;
  assign axi_awaddr_o  = addr_q - (AxiAddrBits'(aw_len_q) << BeatShift);
  assign axi_awlen_o   = 8'(aw_len_q - 1'b1);
  assign axi_awsize_o  = 3'(BeatShift);
  assign axi_awburst_o = lf_pkg::AXI_BURST_INCR;
  assign axi_wvalid_o  = wv_q;
  assign axi_wdata_o   = wd_q;
  assign axi_wstrb_o   = ws_q;
  assign axi_wlast_o   = wl_q;
  assign axi_bready_o  = 1'b1;
  assign err_o         = b_fire && (axi_bresp_i != lf_pkg::AXI_RESP_OKAY);

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      in_job_q      <= 1'b0;
      addr_q        <= '0;
      res_left_aw_q <= '0;
      burst_res_q   <= '0;
      burst_beats_q <= '0;
      aw_pend_q     <= 1'b0;
      aw_len_q      <= '0;
      lane_q        <= '0;
      pack_q        <= '0;
      wv_q          <= 1'b0;
      wl_q          <= 1'b0;
      wd_q          <= '0;
      ws_q          <= '0;
      bout_q        <= '0;
    end else begin
      in_job_q      <= in_job_d;
      addr_q        <= addr_d;
      res_left_aw_q <= res_left_aw_d;
      burst_res_q   <= burst_res_d;
      burst_beats_q <= burst_beats_d;
      aw_pend_q     <= aw_pend_d;
      aw_len_q      <= aw_len_d;
      lane_q        <= lane_d;
      pack_q        <= pack_d;
      wv_q          <= wv_d;
      wl_q          <= wl_d;
      wd_q          <= wd_d;
      ws_q          <= ws_d;
      bout_q        <= bout_d;
    end
  end

  if (ResDepth < Rpw) begin : gen_depth_check
    $fatal(1, "lf_axi_writer: the result FIFO must hold at least one AXI word of results");
  end

endmodule
