// Result writer: packs float32 results into AXI words (result k of a job at
// bits [32*(k mod RPW) +: 32] of word k / RPW, RPW = AxiDataBits / 32) and
// writes them from y_addr with INCR bursts of min(MaxBurstBeats, 4096 /
// AxiBytes) beats, shorter only where a 4 KiB boundary or the job's end
// cuts them. The bytes of a partial last word beyond the job's rows get a
// zero strobe. A job is done when its last write response has arrived.
//
//   result FIFO ─► packer ─► word FIFO {strb, data} ─► W
//                  (lanes)   (2 longest bursts)        ▲
//                                    count ─► burst plan ─► AW
//
// The packer fills words as results arrive, so when a burst's last word is
// packed the whole burst can go: an address is issued only when all of its
// words wait in the word FIFO (the W beats then follow without waiting for
// the PEs), and W never leads AW. The packer follows its own copy of the job
// descriptors and may run into the next job while the bursts of the last
// one drain.
//
// Timing: the next burst's length is planned in two registered stages from
// the write pointer (addr_q, words_left_q) while the open burst drains, so
// the burst arithmetic (4 KiB distance, words left, minimum) is never in
// series with a handshake; a plan is trusted PlanCycles cycles after the
// pointer last moved.

`include "lf_pkg.sv"

module lf_axi_writer #(
  parameter int unsigned AxiDataBits   = 128,
  parameter int unsigned AxiAddrBits   = 40,
  parameter int unsigned MaxBurstBeats = 16,
  localparam int unsigned RowBits      = lf_pkg::ROW_BITS
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // job descriptor of the bursts
  input  logic                     desc_valid_i,
  input  logic [RowBits-1:0]       desc_rows_i,
  input  logic [AxiAddrBits-1:0]   desc_y_addr_i,
  output logic                     desc_pop_o,
  // job descriptor of the packer (the same jobs, its own FIFO)
  input  logic                     pk_desc_valid_i,
  input  logic [RowBits-1:0]       pk_desc_rows_i,
  output logic                     pk_desc_pop_o,
  // result FIFO head
  input  logic                     res_valid_i,
  input  logic [31:0]              res_i,
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
  localparam int unsigned RpwShift   = $clog2(Rpw);
  localparam int unsigned LaneBits   = lf_pkg::clog2_min1(Rpw);
  localparam int unsigned BeatShift  = $clog2(AxiBytes);
  localparam int unsigned Beats4k    = lf_pkg::AXI_4K_BYTES / AxiBytes;
  // Longest burst: MaxBurstBeats, and never more than one 4 KiB page.
  localparam int unsigned BurstCap   = lf_pkg::min_u(MaxBurstBeats, Beats4k);
  localparam int unsigned LenBits    = $clog2(BurstCap + 1);
  localparam int unsigned Off4kBits  = $clog2(Beats4k);           // beat offset in a 4 KiB page
  localparam int unsigned Dist4kBits = Off4kBits + 1;
  localparam int unsigned WordsBits  = RowBits - RpwShift + 1;     // ceil(rows / Rpw)
  localparam int unsigned WfDepth    = lf_pkg::max_u(2, 2 * BurstCap);
  localparam int unsigned WfCntBits  = $clog2(WfDepth + 1);
  localparam int unsigned WfWidth    = AxiBytes + AxiDataBits;
  localparam int unsigned PlanCycles = 2;
  localparam int unsigned BOutBits   = 8;

  // ---------------------------------------------------------------------------
  // Packer: results -> words (lane l of a word at bits [32*l +: 32])
  // ---------------------------------------------------------------------------
  logic                   pk_in_job_d, pk_in_job_q;
  logic [RowBits-1:0]     pk_left_d, pk_left_q;      // results of the job not yet packed
  logic                   pk_last_d, pk_last_q;      // pk_left_q == 1
  logic [LaneBits-1:0]    lane_d, lane_q;
  logic [AxiDataBits-1:0] pack_d, pack_q;
  logic [AxiDataBits-1:0] word;                      // pack_q with this result in its lane
  logic [AxiBytes-1:0]    strb;
  logic                   word_done, wf_push, wf_full, wf_valid, wf_pop;
  logic [WfWidth-1:0]     wf_rdata;
  logic [WfCntBits-1:0]   wf_count;

  assign word_done = (lane_q == LaneBits'(Rpw - 1)) || pk_last_q;
  assign res_pop_o = pk_in_job_q && res_valid_i && !(word_done && wf_full);
  assign wf_push   = res_pop_o && word_done;

  // Lane loop: result l of a word enters only lane l (a clock enable per
  // lane, no shifter over lane_q).
  always_comb begin
    word = pack_q;
    strb = '0;
    for (int l = 0; l < Rpw; l++) begin
      if (lane_q == LaneBits'(l)) begin
        word[l*32 +: 32] = res_i;
      end
      strb[l*4 +: 4] = (LaneBits'(l) <= lane_q) ? 4'hF : 4'h0;
    end
  end

  always_comb begin
    pk_in_job_d   = pk_in_job_q;
    pk_left_d     = pk_left_q;
    pk_last_d     = pk_last_q;
    lane_d        = lane_q;
    pack_d        = pack_q;
    pk_desc_pop_o = 1'b0;
    if (!pk_in_job_q) begin
      if (pk_desc_valid_i) begin
        pk_in_job_d = 1'b1;
        pk_left_d   = pk_desc_rows_i;
        pk_last_d   = (pk_desc_rows_i == RowBits'(1));
        lane_d      = '0;
      end
    end else if (res_pop_o) begin
      pk_left_d = pk_left_q - 1'b1;
      pk_last_d = (pk_left_q == RowBits'(2));
      if (word_done) begin
        lane_d = '0;
        pack_d = '0;
      end else begin
        lane_d = lane_q + 1'b1;
        pack_d = word;
      end
      if (pk_last_q) begin
        pk_in_job_d   = 1'b0;
        pk_desc_pop_o = 1'b1;
      end
    end
  end

  lf_fifo #(
    .Width(WfWidth),
    .Depth(WfDepth)
  ) u_word_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (wf_push),
    .wdata_i({strb, word}),
    .pop_i  (wf_pop),
    .valid_o(wf_valid),
    .rdata_o(wf_rdata),
    .full_o (wf_full),
    .count_o(wf_count)
  );

  // ---------------------------------------------------------------------------
  // Bursts: plan, AW, W, responses
  // ---------------------------------------------------------------------------
  logic                   in_job_d, in_job_q;
  logic [AxiAddrBits-1:0] addr_d, addr_q;                 // byte address of the next burst
  logic [WordsBits-1:0]   words_left_d, words_left_q;     // words not yet covered by an AW
  logic                   words_zero_d, words_zero_q;     // words_left_q == 0
  logic                   aw_pend_d, aw_pend_q;
  logic [AxiAddrBits-1:0] aw_addr_d, aw_addr_q;
  logic [7:0]             aw_len_d, aw_len_q;             // AXI encoding: beats - 1
  logic                   w_on_d, w_on_q;                 // the open burst's W beats flow
  logic [LenBits-1:0]     w_left_d, w_left_q;             // W beats of the open burst not yet sent
  logic                   burst_open_d, burst_open_q;     // AW issued, W beats not all sent
  logic [BOutBits-1:0]    bout_d, bout_q;

  // Stage 1: beats to the 4 KiB boundary capped at BurstCap; words left.
  logic [Dist4kBits-1:0]  to_4k;
  logic [LenBits-1:0]     cap_d, cap_q;
  logic                   wl_fits_d, wl_fits_q;           // words_left_q <= BurstCap
  logic [LenBits-1:0]     wl_low_d, wl_low_q;
  // Stage 2: length of the next burst.
  logic [LenBits-1:0]     plan_len_d, plan_len_q;
  logic [1:0]             settle_d, settle_q;             // cycles until the plan is valid

  logic                   b_fire, aw_fire, w_fire, open, moved;

  assign to_4k = Dist4kBits'(Beats4k) - Dist4kBits'(addr_q[BeatShift +: Off4kBits]);

  always_comb begin
    cap_d = LenBits'(BurstCap);
    if (to_4k < Dist4kBits'(BurstCap)) begin
      cap_d = LenBits'(to_4k);
    end
    wl_fits_d = (words_left_q <= WordsBits'(BurstCap));
    wl_low_d  = LenBits'(words_left_q);
    plan_len_d = cap_q;
    if (wl_fits_q && wl_low_q < cap_q) begin
      plan_len_d = wl_low_q;
    end
  end

  assign aw_fire = aw_pend_q && axi_awready_i;
  assign w_fire  = w_on_q && wf_valid && axi_wready_i;
  assign wf_pop  = w_fire;
  assign b_fire  = axi_bvalid_i;
  // Open a burst when the last one's W beats are out and all of this one's
  // words wait in the word FIFO.
  assign open    = in_job_q && (settle_q == '0) && !burst_open_q && !words_zero_q
                && (bout_q != '1) && (wf_count >= WfCntBits'(plan_len_q));
  assign moved   = open || (!in_job_q && desc_valid_i);

  always_comb begin
    settle_d = settle_q;
    if (moved) begin
      settle_d = 2'(PlanCycles);
    end else if (settle_q != '0) begin
      settle_d = settle_q - 1'b1;
    end
  end

  always_comb begin
    in_job_d     = in_job_q;
    addr_d       = addr_q;
    words_left_d = words_left_q;
    words_zero_d = words_zero_q;
    aw_pend_d    = aw_pend_q;
    aw_addr_d    = aw_addr_q;
    aw_len_d     = aw_len_q;
    w_on_d       = w_on_q;
    w_left_d     = w_left_q;
    burst_open_d = burst_open_q;
    bout_d       = bout_q + BOutBits'(aw_fire) - BOutBits'(b_fire);
    desc_pop_o   = 1'b0;
    job_done_o   = 1'b0;

    if (!in_job_q) begin
      if (desc_valid_i) begin
        in_job_d     = 1'b1;
        addr_d       = desc_y_addr_i;
        words_left_d = WordsBits'(((RowBits + 1)'(desc_rows_i) + (RowBits + 1)'(Rpw - 1)) >> RpwShift);
        words_zero_d = 1'b0;   // ROWS >= 1 (lf_csr)
      end
    end else begin
      if (open) begin
        aw_pend_d    = 1'b1;
        burst_open_d = 1'b1;
        aw_addr_d    = addr_q;
        aw_len_d     = 8'(plan_len_q) - 8'd1;
        w_left_d     = plan_len_q;
        words_left_d = words_left_q - WordsBits'(plan_len_q);
        words_zero_d = (words_left_q == WordsBits'(plan_len_q));
        addr_d       = addr_q + (AxiAddrBits'(plan_len_q) << BeatShift);
      end
      // W follows the accepted address.
      if (aw_fire) begin
        aw_pend_d = 1'b0;
        w_on_d    = 1'b1;
      end
      if (w_fire) begin
        w_left_d = w_left_q - 1'b1;
        if (w_left_q == LenBits'(1)) begin
          w_on_d       = 1'b0;
          burst_open_d = 1'b0;
        end
      end
      // Job done: every word issued and sent, every response taken.
      if (words_zero_q && !burst_open_q && bout_q == '0) begin
        in_job_d   = 1'b0;
        desc_pop_o = 1'b1;
        job_done_o = 1'b1;
      end
    end
  end

  assign axi_awvalid_o = aw_pend_q;
  assign axi_awaddr_o  = aw_addr_q;
  assign axi_awlen_o   = aw_len_q;
  assign axi_awsize_o  = 3'(BeatShift);
  assign axi_awburst_o = lf_pkg::AXI_BURST_INCR;
  assign axi_wvalid_o  = w_on_q && wf_valid;
  assign axi_wdata_o   = wf_rdata[AxiDataBits-1:0];
  assign axi_wstrb_o   = wf_rdata[AxiDataBits +: AxiBytes];
  assign axi_wlast_o   = (w_left_q == LenBits'(1));
  assign axi_bready_o  = 1'b1;
  assign err_o         = b_fire && (axi_bresp_i != lf_pkg::AXI_RESP_OKAY);

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      pk_in_job_q  <= 1'b0;
      lane_q       <= '0;
      pack_q       <= '0;
      in_job_q     <= 1'b0;
      words_zero_q <= 1'b1;
      aw_pend_q    <= 1'b0;
      w_on_q       <= 1'b0;
      w_left_q     <= '0;
      burst_open_q <= 1'b0;
      bout_q       <= '0;
      settle_q     <= 2'(PlanCycles);
    end else begin
      pk_in_job_q  <= pk_in_job_d;
      lane_q       <= lane_d;
      pack_q       <= pack_d;
      in_job_q     <= in_job_d;
      words_zero_q <= words_zero_d;
      aw_pend_q    <= aw_pend_d;
      w_on_q       <= w_on_d;
      w_left_q     <= w_left_d;
      burst_open_q <= burst_open_d;
      bout_q       <= bout_d;
      settle_q     <= settle_d;
    end
  end

  // Job, address and plan registers (no reset: qualified by the control above).
  always_ff @(posedge clk_i) begin
    pk_left_q    <= pk_left_d;
    pk_last_q    <= pk_last_d;
    addr_q       <= addr_d;
    words_left_q <= words_left_d;
    aw_addr_q    <= aw_addr_d;
    aw_len_q     <= aw_len_d;
    cap_q        <= cap_d;
    wl_fits_q    <= wl_fits_d;
    wl_low_q     <= wl_low_d;
    plan_len_q   <= plan_len_d;
  end

  if (BurstCap > 256) begin : gen_len_check
    $fatal(1, "lf_axi_writer: a burst has at most 256 beats");
  end

`ifndef SYNTHESIS
  // pragma translate_off
  AwStable: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (axi_awvalid_o && !axi_awready_i) |=> (axi_awvalid_o && $stable(axi_awaddr_o)
                                             && $stable(axi_awlen_o)))
    else $error("lf_axi_writer: AW changed while waiting for awready");
  BurstLength: assert property (@(posedge clk_i) disable iff (!rst_ni)
      axi_awvalid_o |-> (32'(axi_awlen_o) < BurstCap))
    else $error("lf_axi_writer: burst longer than the cap");
  // pragma translate_on
`endif

endmodule
