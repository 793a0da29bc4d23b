// One AXI4 read master: reads ranges of full-width words with INCR bursts of
// at most MaxBurstBeats beats, split at 4 KiB boundaries, with at most
// MaxOutstanding bursts in flight. A range is contiguous (stride 0) or, for
// an interleaved weight image, a sequence of chunks of 2^k bytes, one every
// `stride` bytes: after the burst that ends a chunk the address jumps to the
// next chunk (the range starts chunk-aligned and 2^k is at least one full
// burst, so bursts tile the chunks exactly). A burst is issued only when the
// downstream buffer has room for all of its beats (credit = BufWords minus
// buffered words minus beats still to arrive), so rready is always high.
// Every range carries a tag that is returned with each of its data beats.
// AR comes from registers (valid, address, length), and the burst length is
// planned a cycle ahead, so no arithmetic is in series with arready.

`include "lf_pkg.sv"

module lf_axi_reader #(
  parameter int unsigned AxiDataBits    = 128,
  parameter int unsigned AxiAddrBits    = 40,
  parameter int unsigned MaxOutstanding = 4,
  parameter int unsigned MaxBurstBeats  = 16,
  parameter int unsigned BufWords       = 64,
  parameter int unsigned TagBits        = 1,
  localparam int unsigned AxiBytes      = AxiDataBits / 8,
  localparam int unsigned LayoutBits    = lf_pkg::LAYOUT_BITS,
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
  input  logic [LayoutBits-1:0]  cmd_chunk_log2_i,  // k; only with a stride
  input  logic [AxiAddrBits-1:0] cmd_stride_i,      // bytes between chunks; 0: contiguous
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
  output logic                   fetching_o,   // beats requested and not yet arrived
  output logic                   err_o         // a non-OKAY response beat
);

  localparam int unsigned BeatShift   = $clog2(AxiBytes);
  localparam int unsigned Beats4k     = lf_pkg::AXI_4K_BYTES / AxiBytes;
  // Longest burst: MaxBurstBeats, and never more than one 4 KiB page.
  localparam int unsigned BurstCap    = lf_pkg::min_u(MaxBurstBeats, Beats4k);
  localparam int unsigned LenBits     = $clog2(BurstCap + 1);
  localparam int unsigned Off4kBits   = $clog2(Beats4k);        // beat offset in a 4 KiB page
  localparam int unsigned Dist4kBits  = Off4kBits + 1;
  localparam int unsigned OutstBits   = $clog2(BufWords + MaxBurstBeats + 1);
  localparam int unsigned BurstCntBits = $clog2(MaxOutstanding + 1);
  localparam int unsigned TagDepth    = lf_pkg::max_u(2, MaxOutstanding);
  // Address bits above one full burst: a burst ends a chunk when those
  // below bit k are all ones (it is the chunk's last burst slot).
  localparam int unsigned SlotShift   = lf_pkg::burst_bytes_log2(AxiDataBits, MaxBurstBeats);
  localparam int unsigned SlotBits    = AxiAddrBits - SlotShift;

  logic                   active_d, active_q;
  logic [AxiAddrBits-1:0] addr_d, addr_q;
  logic [WordsBits-1:0]   rem_d, rem_q;
  logic [TagBits-1:0]     tag_d, tag_q;
  logic [OutstBits-1:0]   beats_out_d, beats_out_q;    // requested, not yet arrived
  logic [BurstCntBits-1:0] bursts_d, bursts_q;         // bursts in flight
  logic                   arv_d, arv_q;
  logic [LenBits-1:0]     len_d, len_q;                // next burst, from addr_q and rem_q
  logic                   last_d, last_q;              // the next burst ends the range
  logic                   plan_ok_d, plan_ok_q;        // len_q/last_q belong to addr_q/rem_q
  logic [OutstBits:0]     free_d, free_q;              // FIFO words not owned (one cycle old)
  logic                   room_d, room_q;              // a burst may be requested
  logic                   strided_d, strided_q;        // the range is a chunk sequence
  logic [AxiAddrBits-1:0] stride_d, stride_q;
  logic [AxiAddrBits-1:0] next_chunk_d, next_chunk_q;  // start of the next chunk
  logic [SlotBits-1:0]    in_chunk_d, in_chunk_q;      // address bits inside a chunk (above a burst)
  logic                   chunk_end_d, chunk_end_q;    // the next burst ends a chunk

  logic [Dist4kBits-1:0]  to_4k;
  logic [LenBits-1:0]     cap;
  logic                   ar_fire, r_fire, r_last_fire, cmd_fire;
  logic                   tag_valid;
  logic [TagBits-1:0]     tag_head;

  // Burst plan, registered: beats to the next 4 KiB boundary, capped at
  // BurstCap, and at the words left in the range. After the pointer moves
  // (command taken, burst requested) the plan is one cycle stale, so AR is
  // requested at most every other cycle: a burst of b beats occupies the R
  // channel for b cycles anyway.
  assign to_4k = Dist4kBits'(Beats4k) - Dist4kBits'(addr_q[BeatShift +: Off4kBits]);

  always_comb begin
    cap = LenBits'(BurstCap);
    if (to_4k < Dist4kBits'(BurstCap)) begin
      cap = LenBits'(to_4k);
    end
    len_d  = cap;
    last_d = (rem_q <= WordsBits'(cap));
    if (last_d) begin
      len_d = LenBits'(rem_q);
    end
    chunk_end_d = strided_q && (&(addr_q[AxiAddrBits-1:SlotShift] | ~in_chunk_q));
  end

  // Space in the port FIFO not yet owned by a requested burst. One cycle
  // old, hence conservative: pops only add space, an arriving beat moves a
  // word from beats_out to the FIFO count, and no burst is requested in the
  // cycle after a request (plan_ok_q is low then).
  assign free_d = (OutstBits + 1)'(BufWords) - (OutstBits + 1)'(buf_count_i)
                - (OutstBits + 1)'(beats_out_q);
  assign room_d = (bursts_q != BurstCntBits'(MaxOutstanding)) && !ar_fire;

  assign ar_fire     = arv_q && axi_arready_i;
  assign r_fire      = axi_rvalid_i;
  assign r_last_fire = axi_rvalid_i && axi_rlast_i;
  assign cmd_ready_o = !active_q;
  assign cmd_fire    = cmd_valid_i && cmd_ready_o;

  // AR is a register: raised once the plan is valid and the burst fits,
  // held until accepted (AXI: ARVALID stays up, address and length stable).
  always_comb begin
    arv_d = arv_q;
    if (ar_fire) begin
      arv_d = 1'b0;
    end else if (!arv_q) begin
      arv_d = active_q && plan_ok_q && room_q && (free_q >= (OutstBits + 1)'(len_q));
    end
  end

  always_comb begin
    active_d  = active_q;
    addr_d    = addr_q;
    rem_d     = rem_q;
    tag_d     = tag_q;
    plan_ok_d = 1'b1;
    strided_d    = strided_q;
    stride_d     = stride_q;
    next_chunk_d = next_chunk_q;
    in_chunk_d   = in_chunk_q;
    if (cmd_fire) begin
      active_d  = 1'b1;
      addr_d    = cmd_addr_i;
      rem_d     = cmd_words_i;
      tag_d     = cmd_tag_i;
      plan_ok_d = 1'b0;
      strided_d    = (cmd_stride_i != '0);
      stride_d     = cmd_stride_i;
      next_chunk_d = cmd_addr_i + cmd_stride_i;
      for (int i = 0; i < SlotBits; i++) begin
        in_chunk_d[i] = (32'(SlotShift + i) < 32'(cmd_chunk_log2_i));
      end
    end else if (ar_fire) begin
      addr_d    = addr_q + (AxiAddrBits'(len_q) << BeatShift);
      if (chunk_end_q) begin
        addr_d       = next_chunk_q;
        next_chunk_d = next_chunk_q + stride_q;
      end
      rem_d     = rem_q - WordsBits'(len_q);
      active_d  = !last_q;
      plan_ok_d = 1'b0;
    end
  end

  assign axi_arvalid_o = arv_q;
  assign axi_araddr_o  = addr_q;
  assign axi_arlen_o   = 8'(len_q) - 8'd1;
  assign axi_arsize_o  = 3'(BeatShift);
  assign axi_arburst_o = lf_pkg::AXI_BURST_INCR;
  assign axi_rready_o  = 1'b1;

  always_comb begin
    beats_out_d = beats_out_q + (ar_fire ? OutstBits'(len_q) : '0) - OutstBits'(r_fire);
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
  assign fetching_o  = (beats_out_q != '0);
  assign err_o       = r_fire && (axi_rresp_i != lf_pkg::AXI_RESP_OKAY);

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      active_q    <= 1'b0;
      tag_q       <= '0;
      beats_out_q <= '0;
      bursts_q    <= '0;
      arv_q       <= 1'b0;
      plan_ok_q   <= 1'b0;
      room_q      <= 1'b0;
      strided_q   <= 1'b0;
    end else begin
      active_q    <= active_d;
      tag_q       <= tag_d;
      beats_out_q <= beats_out_d;
      bursts_q    <= bursts_d;
      arv_q       <= arv_d;
      plan_ok_q   <= plan_ok_d;
      room_q      <= room_d;
      strided_q   <= strided_d;
    end
  end

  // Address and plan registers (no reset: qualified by active_q, plan_ok_q).
  always_ff @(posedge clk_i) begin
    addr_q <= addr_d;
    rem_q  <= rem_d;
    len_q  <= len_d;
    last_q <= last_d;
    free_q <= free_d;
    stride_q     <= stride_d;
    next_chunk_q <= next_chunk_d;
    in_chunk_q   <= in_chunk_d;
    chunk_end_q  <= chunk_end_d;
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
  // Bursts of a chunk sequence start on a burst slot and fill it (but the
  // range's last), so that they tile the chunks.
  BurstFillsSlot: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (ar_fire && strided_q) |->
      ((addr_q[SlotShift-1:0] == '0) && (last_q || len_q == LenBits'(BurstCap))))
    else $error("lf_axi_reader: a chunked range's burst does not fill its slot (start not chunk-aligned?)");
  // pragma translate_on
`endif

endmodule
