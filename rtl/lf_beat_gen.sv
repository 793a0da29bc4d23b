// Weight gearbox and beat sequencer: turns the weight-word stream (WPW
// weights per bus word, WPW = BUS / WeightBits) into PE beats of NumPe
// weights, one per cycle, dropping the padding at the end of each row, and
// tags every beat with its activation-buffer entry and group position.
//
// Words wait in S = K + 1 slots used as a ring (rptr: the oldest word). A
// beat takes NumPe weights starting at weight offset `off` (a multiple of
// Gd = gcd(WPW, NumPe)) of the K oldest words:
//
//   bit:  K*BUS-1                    2*BUS-1        BUS-1                0
//         ┌────────────── ... ──────┬──────────────┬──────────────────┐
//         │ slot rptr+K-1           │ slot rptr+1  │ slot rptr        │
//         └────────────── ... ──────┴──────────────┴──────────────────┘
//                                    beat = weights [off, off + NumPe) of
//                                    this concatenation (q[k] at k*WeightBits)
//
//   K = ceil((WPW - Gd + NumPe) / WPW) words cover any beat. A word enters
//   its slot whenever a slot is free at the start of the cycle, whatever the
//   beat does, and the beat mux is selected by a register: the beat decision
//   (`fire`) only steers small counters, never the wide data path.
//
// A row's last beat drops every word it touched, including the row's unused
// tail, so the next row starts at offset 0 of a fresh word. A beat is issued
// only when the job's activations are loaded, and a row starts only when the
// result FIFO has a credit for its result.

`include "lf_pkg.sv"

module lf_beat_gen #(
  parameter int unsigned NumPe       = 16,
  parameter int unsigned WeightBits  = 8,
  parameter int unsigned GroupSize   = 256,
  parameter int unsigned AxiDataBits = 128,
  parameter int unsigned WeightPorts = 1,
  parameter int unsigned ActBufCols  = 2048,
  localparam int unsigned BusBits    = AxiDataBits * WeightPorts,
  localparam int unsigned ColBits    = $clog2(ActBufCols + 1),
  localparam int unsigned RowBits    = lf_pkg::ROW_BITS,
  localparam int unsigned ActDepth   = ActBufCols / NumPe,
  localparam int unsigned EntryBits  = lf_pkg::clog2_min1(ActDepth),
  localparam int unsigned NumGroups  = ActBufCols / GroupSize,
  localparam int unsigned GrpBits    = lf_pkg::clog2_min1(NumGroups)
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  // job descriptor
  input  logic                        desc_valid_i,
  input  logic [RowBits-1:0]          desc_rows_i,
  input  logic [ColBits-1:0]          desc_cols_i,
  output logic                        desc_pop_o,
  // weight words
  input  logic                        wgt_valid_i,
  input  logic [BusBits-1:0]          wgt_word_i,
  output logic                        wgt_pop_o,
  // activation buffer handshake
  input  logic                        act_ready_i,     // this job's activations loaded
  output logic                        act_release_o,   // last beat of the job issued
  // result credits
  input  logic                        credit_ok_i,
  output logic                        credit_take_o,   // a row starts
  // beats (registered)
  output logic                        beat_valid_o,
  output logic [NumPe*WeightBits-1:0] beat_w_o,
  output logic [EntryBits-1:0]        beat_entry_o,    // activation-buffer entry
  output logic [GrpBits-1:0]          beat_grp_o,      // group index in the row
  output logic                        beat_gfirst_o,   // first beat of a group
  output logic                        beat_glast_o,    // last beat of a group
  output logic                        beat_rfirst_o,   // first beat of a row
  output logic                        beat_rlast_o,    // last beat of a row
  // events
  output logic                        mem_stall_o
);

  localparam int unsigned Wpw       = BusBits / WeightBits;
  localparam int unsigned Gd        = lf_pkg::gcd_u(Wpw, NumPe);
  localparam int unsigned NumOff    = Wpw / Gd;              // offsets in units of Gd
  localparam int unsigned PeUnits   = NumPe / Gd;
  localparam int unsigned K         = (Wpw - Gd + NumPe + Wpw - 1) / Wpw;
  localparam int unsigned S         = K + 1;                 // slots
  localparam int unsigned NumSel    = S * NumOff;            // (rptr, off) pairs
  localparam int unsigned OffBits   = lf_pkg::clog2_min1(NumOff);
  localparam int unsigned UnitBits  = $clog2(NumOff + PeUnits + 1);
  localparam int unsigned NBits     = $clog2(S + 1);
  localparam int unsigned PtrBits   = lf_pkg::clog2_min1(S);
  localparam int unsigned Bpg       = GroupSize / NumPe;     // beats per group
  localparam int unsigned BpgShift  = $clog2(Bpg);
  localparam int unsigned BeatBits  = EntryBits + 1;
  localparam int unsigned BeatW     = NumPe * WeightBits;

  logic                 in_job_d, in_job_q;
  logic [RowBits-1:0]   rows_left_d, rows_left_q;
  logic [BeatBits-1:0]  beat_d, beat_q;           // beat index in the row
  logic [S*BusBits-1:0] slot_q;                   // slot j at [j*BusBits +: BusBits]
  logic [NBits-1:0]     cnt_d, cnt_q;             // words in the slots
  logic [PtrBits-1:0]   rptr_d, rptr_q, wptr_d, wptr_q;
  logic [OffBits-1:0]   off_d, off_q;
  logic [NumSel-1:0]    sel_d, sel_q;             // one-hot (rptr, off) of the next beat

  logic                 out_valid_d, out_valid_q;
  logic [BeatW-1:0]     out_w_q;
  logic [EntryBits-1:0] out_entry_d, out_entry_q;
  logic [GrpBits-1:0]   out_grp_d, out_grp_q;
  logic                 out_gfirst_d, out_gfirst_q, out_glast_d, out_glast_q;
  logic                 out_rfirst_d, out_rfirst_q, out_rlast_d, out_rlast_q;

  logic [UnitBits-1:0]  nxt_u;
  logic [NBits-1:0]     need, drop, used;
  logic                 row_first, row_last, fire, accept;
  logic [BeatBits-1:0]  beats_per_row;
  logic [BeatW-1:0]     beat_w;

  function automatic logic [PtrBits-1:0] ptr_add(logic [PtrBits-1:0] p, logic [NBits-1:0] n);
    logic [PtrBits:0] t;
    t = {1'b0, p} + (PtrBits + 1)'(n);
    ptr_add = (t >= (PtrBits + 1)'(S)) ? PtrBits'(t - (PtrBits + 1)'(S)) : PtrBits'(t);
  endfunction

  // Row position flags are registers (decided a beat ahead from beat_q).
  logic row_first_d, row_first_q, row_last_d, row_last_q;

  assign beats_per_row = BeatBits'(desc_cols_i >> $clog2(NumPe));
  assign row_first     = row_first_q;
  assign row_last      = row_last_q;

  // Words the beat needs, and words it consumes.
  always_comb begin
    nxt_u = UnitBits'(off_q) + UnitBits'(PeUnits);
    need  = '0;
    drop  = '0;
    for (int m = 1; m <= K; m++) begin
      if (nxt_u > UnitBits'((m - 1) * NumOff)) begin
        need = NBits'(m);
      end
      if (nxt_u >= UnitBits'(m * NumOff)) begin
        drop = NBits'(m);
      end
    end
  end

  // Beat extraction: one-hot AND-OR mux over the (rptr, off) pairs; `lwin`
  // is the K oldest words in order for one rptr.
  logic [K*BusBits-1:0] lwin;

  always_comb begin
    beat_w = '0;
    lwin   = '0;
    for (int r = 0; r < S; r++) begin
      for (int m = 0; m < K; m++) begin
        lwin[m*BusBits +: BusBits] = slot_q[((r + m) % S)*BusBits +: BusBits];
      end
      for (int o = 0; o < NumOff; o++) begin
        if (sel_q[r*NumOff + o]) begin
          beat_w = beat_w | lwin[o*Gd*WeightBits +: BeatW];
        end
      end
    end
  end

  assign fire = in_job_q && act_ready_i && (cnt_q >= need) && (!row_first || credit_ok_i);
  assign credit_take_o = fire && row_first;
  assign mem_stall_o   = in_job_q && !fire && !(row_first && !credit_ok_i);
  // A free slot at the start of the cycle takes the next word.
  assign accept    = wgt_valid_i && (cnt_q < NBits'(S));
  assign wgt_pop_o = accept;

  always_comb begin
    in_job_d      = in_job_q;
    rows_left_d   = rows_left_q;
    beat_d        = beat_q;
    off_d         = off_q;
    desc_pop_o    = 1'b0;
    act_release_o = 1'b0;
    used          = '0;
    row_first_d   = row_first_q;
    row_last_d    = row_last_q;

    if (!in_job_q) begin
      if (desc_valid_i) begin
        in_job_d    = 1'b1;
        rows_left_d = desc_rows_i;
        beat_d      = '0;
        row_first_d = 1'b1;
        row_last_d  = (beats_per_row == BeatBits'(1));
      end
    end else if (fire) begin
      if (row_last) begin
        used        = need;
        off_d       = '0;
        beat_d      = '0;
        row_first_d = 1'b1;
        row_last_d  = (beats_per_row == BeatBits'(1));
        rows_left_d = rows_left_q - 1'b1;
        if (rows_left_q == RowBits'(1)) begin
          in_job_d      = 1'b0;
          desc_pop_o    = 1'b1;
          act_release_o = 1'b1;
        end
      end else begin
        used        = drop;
        off_d       = OffBits'(nxt_u - UnitBits'(drop) * UnitBits'(NumOff));
        beat_d      = beat_q + 1'b1;
        row_first_d = 1'b0;
        row_last_d  = (beat_q == beats_per_row - BeatBits'(2));
      end
    end

    cnt_d  = cnt_q - used + NBits'(accept);
    rptr_d = ptr_add(rptr_q, used);
    wptr_d = accept ? ptr_add(wptr_q, NBits'(1)) : wptr_q;
    for (int r = 0; r < S; r++) begin
      for (int o = 0; o < NumOff; o++) begin
        sel_d[r*NumOff + o] = (rptr_d == PtrBits'(r)) && (off_d == OffBits'(o));
      end
    end
  end

  // Output register (stage B0 of the PE pipeline).
  always_comb begin
    out_valid_d  = fire;
    out_entry_d  = EntryBits'(beat_q);
    out_grp_d    = GrpBits'(beat_q >> BpgShift);
    out_gfirst_d = (beat_q & BeatBits'(Bpg - 1)) == '0;
    out_glast_d  = (beat_q & BeatBits'(Bpg - 1)) == BeatBits'(Bpg - 1);
    out_rfirst_d = row_first;
    out_rlast_d  = row_last;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      in_job_q    <= 1'b0;
      rows_left_q <= '0;
      beat_q      <= '0;
      cnt_q       <= '0;
      rptr_q      <= '0;
      wptr_q      <= '0;
      off_q       <= '0;
      sel_q       <= NumSel'(1);
      row_first_q <= 1'b1;
      row_last_q  <= 1'b0;
      out_valid_q <= 1'b0;
    end else begin
      in_job_q    <= in_job_d;
      rows_left_q <= rows_left_d;
      beat_q      <= beat_d;
      cnt_q       <= cnt_d;
      rptr_q      <= rptr_d;
      wptr_q      <= wptr_d;
      off_q       <= off_d;
      sel_q       <= sel_d;
      row_first_q <= row_first_d;
      row_last_q  <= row_last_d;
      out_valid_q <= out_valid_d;
    end
  end

  // Slots: written in place (no reset, datapath).
  always_ff @(posedge clk_i) begin
    for (int j = 0; j < S; j++) begin
      if (accept && wptr_q == PtrBits'(j)) begin
        slot_q[j*BusBits +: BusBits] <= wgt_word_i;
      end
    end
  end

  // Datapath registers (no reset). The beat register loads every cycle;
  // out_valid_q says whether it holds a beat.
  always_ff @(posedge clk_i) begin
    out_w_q      <= beat_w;
    out_entry_q  <= out_entry_d;
    out_grp_q    <= out_grp_d;
    out_gfirst_q <= out_gfirst_d;
    out_glast_q  <= out_glast_d;
    out_rfirst_q <= out_rfirst_d;
    out_rlast_q  <= out_rlast_d;
  end

  assign beat_valid_o  = out_valid_q;
  assign beat_w_o      = out_w_q;
  assign beat_entry_o  = out_entry_q;
  assign beat_grp_o    = out_grp_q;
  assign beat_gfirst_o = out_gfirst_q;
  assign beat_glast_o  = out_glast_q;
  assign beat_rfirst_o = out_rfirst_q;
  assign beat_rlast_o  = out_rlast_q;

`ifndef SYNTHESIS
  // pragma translate_off
  SlotsBounded: assert property (@(posedge clk_i) disable iff (!rst_ni) cnt_q <= NBits'(S))
    else $error("lf_beat_gen: more words than slots");
  // pragma translate_on
`endif

endmodule
