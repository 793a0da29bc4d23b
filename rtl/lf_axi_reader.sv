// One AXI4 read master: reads contiguous ranges of full-width words with INCR
// bursts of at most MaxBurstBeats beats, split at 4 KiB boundaries, with at
// most MaxOutstanding bursts in flight. A burst is issued only when the
// downstream buffer has room for all of its beats (credit = BufWords minus
// buffered words minus beats still to arrive), so rready is always high.
// Every range carries a tag that is returned with each of its data beats.

`include "lf_pkg.sv"

module lf_axi_reader #(
  parameter int unsigned AxiDataBits    = 128,
  parameter int unsigned AxiAddrBits    = 40,
  parameter int unsigned MaxOutstanding = 4,
  parameter int unsigned MaxBurstBeats  = 16,
  parameter int unsigned BufWords       = 64,
  parameter int unsigned TagBits        = 1,
  localparam int unsigned AxiBytes      = AxiDataBits / 8,
  localparam int unsigned WordsBits     = AxiAddrBits - $clog2(AxiBytes) + 1,
  localparam int unsigned BufCntBits    = $clog2(BufWords + 1)
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  // range command
  input  logic                   cmd_valid_i,
  output logic                   cmd_ready_o,
  input  logic [AxiAddrBits-1:0] cmd_addr_i,   // AxiBytes aligned
  input  logic [WordsBits-1:0]   cmd_words_i,  // >= 1
  input  logic [TagBits-1:0]     cmd_tag_i,
  // downstream buffer occupancy (words)
  input  logic [BufCntBits-1:0]  buf_count_i,
  // AXI read address / data
  output logic                   axi_arvalid_o,
  input  logic                   axi_arready_i,
  output logic [AxiAddrBits-1:0] axi_araddr_o,
  output logic [7:0]             axi_arlen_o,
  output logic [2:0]             axi_arsize_o,
  output logic [1:0]             axi_arburst_o,
  input  logic                   axi_rvalid_i,
  output logic                   axi_rready_o,
  input  logic [AxiDataBits-1:0] axi_rdata_i,
  input  logic [1:0]             axi_rresp_i,
  input  logic                   axi_rlast_i,
  // data beats out (always accepted: space was reserved)
  output logic                   out_valid_o,
  output logic [AxiDataBits-1:0] out_data_o,
  output logic [TagBits-1:0]     out_tag_o,
  output logic                   err_o         // a non-OKAY response beat
);

  localparam int unsigned BeatShift   = $clog2(AxiBytes);
  localparam int unsigned BeatsTo4kMax = lf_pkg::AXI_4K_BYTES / AxiBytes;
  localparam int unsigned LenBits     = $clog2(lf_pkg::max_u(MaxBurstBeats, BeatsTo4kMax) + 1);
  localparam int unsigned OutstBits   = $clog2(BufWords + MaxBurstBeats + 1);
  localparam int unsigned BurstCntBits = $clog2(MaxOutstanding + 1);
  localparam int unsigned TagDepth    = lf_pkg::max_u(2, MaxOutstanding);

  logic                   active_d, active_q;
  logic [AxiAddrBits-1:0] addr_d, addr_q;
  logic [WordsBits-1:0]   rem_d, rem_q;
  logic [TagBits-1:0]     tag_d, tag_q;
  logic [OutstBits-1:0]   beats_out_d, beats_out_q;    // requested, not yet arrived
  logic [BurstCntBits-1:0] bursts_d, bursts_q;         // bursts in flight

  logic [LenBits-1:0]     to_4k, len;
  logic [OutstBits:0]     free_words;
  logic                   ar_fire, r_fire, r_last_fire;
  logic                   tag_valid;
  logic [TagBits-1:0]     tag_head;

  // Beats from addr_q to the next 4 KiB boundary.
  assign to_4k = LenBits'((lf_pkg::AXI_4K_BYTES - 32'(addr_q[11:0])) >> BeatShift);

  always_comb begin
    len = to_4k;
    if (len > LenBits'(MaxBurstBeats)) begin
      len = LenBits'(MaxBurstBeats);
    end
    if (rem_q < WordsBits'(len)) begin
      len = LenBits'(rem_q);
    end
  end

  assign free_words = (OutstBits + 1)'(BufWords) - (OutstBits + 1)'(buf_count_i)
                    - (OutstBits + 1)'(beats_out_q);

  assign axi_arvalid_o = active_q && (bursts_q != BurstCntBits'(MaxOutstanding))
                      && (free_words >= (OutstBits + 1)'(len));
  assign axi_araddr_o  = addr_q;
  assign axi_arlen_o   = 8'(len - 1'b1);
  assign axi_arsize_o  = 3'(BeatShift);
  assign axi_arburst_o = lf_pkg::AXI_BURST_INCR;
  assign axi_rready_o  = 1'b1;

  assign ar_fire     = axi_arvalid_o && axi_arready_i;
  assign r_fire      = axi_rvalid_i;
  assign r_last_fire = axi_rvalid_i && axi_rlast_i;
  assign cmd_ready_o = !active_q;

  always_comb begin
    active_d = active_q;
    addr_d   = addr_q;
    rem_d    = rem_q;
    tag_d    = tag_q;
    if (cmd_valid_i && cmd_ready_o) begin
      active_d = 1'b1;
      addr_d   = cmd_addr_i;
      rem_d    = cmd_words_i;
      tag_d    = cmd_tag_i;
    end else if (ar_fire) begin
      addr_d   = addr_q + (AxiAddrBits'(len) << BeatShift);
      rem_d    = rem_q - WordsBits'(len);
      active_d = (rem_q != WordsBits'(len));
    end
  end

  always_comb begin
    beats_out_d = beats_out_q + (ar_fire ? OutstBits'(len) : '0) - OutstBits'(r_fire);
    bursts_d    = bursts_q + BurstCntBits'(ar_fire) - BurstCntBits'(r_last_fire);
  end

  // Tag of each burst in flight, in request order.
  lf_fifo #(
    .Width(TagBits),
    .Depth(TagDepth)
  ) u_tag_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (ar_fire),
    .wdata_i(tag_q),
    .pop_i  (r_last_fire),
    .valid_o(tag_valid),
    .rdata_o(tag_head),
    .full_o (),
    .count_o()
  );

  assign out_valid_o = r_fire;
  assign out_data_o  = axi_rdata_i;
  assign out_tag_o   = tag_head;
  assign err_o       = r_fire && (axi_rresp_i != lf_pkg::AXI_RESP_OKAY);

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      active_q    <= 1'b0;
      addr_q      <= '0;
      rem_q       <= '0;
      tag_q       <= '0;
      beats_out_q <= '0;
      bursts_q    <= '0;
    end else begin
      active_q    <= active_d;
      addr_q      <= addr_d;
      rem_q       <= rem_d;
      tag_q       <= tag_d;
      beats_out_q <= beats_out_d;
      bursts_q    <= bursts_d;
    end
  end

  if (BufWords < MaxOutstanding * MaxBurstBeats) begin : gen_buf_check
    $fatal(1, "lf_axi_reader: BufWords must be >= MaxOutstanding * MaxBurstBeats");
  end

`ifndef SYNTHESIS
  // pragma translate_off
  RDataWithoutBurst: assert property (@(posedge clk_i) disable iff (!rst_ni)
      axi_rvalid_i |-> tag_valid)
    else $error("lf_axi_reader: read data without an outstanding burst");
  ArStable: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (axi_arvalid_o && !axi_arready_i) |=> (axi_arvalid_o && $stable(axi_araddr_o) && $stable(axi_arlen_o)))
    else $error("lf_axi_reader: AR changed while waiting for arready");
  // pragma translate_on
`endif

endmodule
