// Weight gearbox and beat sequencer: turns the weight-word stream (WPW
// weights per bus word, WPW = BUS / WeightBits) into PE beats of NumPe
// weights, one per cycle, dropping the padding at the end of each row, and
// tags every beat with its activation-buffer entry and group position.
//
// Window of K bus words (word 0 the oldest); a beat takes NumPe weights
// starting at weight offset `off` (a multiple of Gd = gcd(WPW, NumPe)):
//
//   bit:  K*BUS-1                    2*BUS-1        BUS-1                0
//         ┌────────────── ... ──────┬──────────────┬──────────────────┐
//         │ word K-1                │ word 1       │ word 0           │
//         └────────────── ... ──────┴──────────────┴──────────────────┘
//                                    beat = weights [off, off + NumPe) of
//                                    this concatenation (q[k] at k*WeightBits)
//
//   K = ceil((WPW - Gd + NumPe) / WPW) words cover any beat; consumed words
//   leave the window as the next ones enter (one word per cycle).
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
  localparam int unsigned OffBits   = lf_pkg::clog2_min1(NumOff);
  localparam int unsigned UnitBits  = $clog2(NumOff + PeUnits + 1);
  localparam int unsigned NBits     = $clog2(K + 1);
  localparam int unsigned Bpg       = GroupSize / NumPe;     // beats per group
  localparam int unsigned BpgShift  = $clog2(Bpg);
  localparam int unsigned BeatBits  = EntryBits + 1;
  localparam int unsigned BeatW     = NumPe * WeightBits;

  logic                 in_job_d, in_job_q;
  logic [RowBits-1:0]   rows_left_d, rows_left_q;
  logic [BeatBits-1:0]  beat_d, beat_q;           // beat index in the row
  logic [K*BusBits-1:0] win_d, win_q;
  logic [NBits-1:0]     nwin_d, nwin_q;
  logic [OffBits-1:0]   off_d, off_q;

  logic                 out_valid_d, out_valid_q;
  logic [BeatW-1:0]     out_w_d, out_w_q;
  logic [EntryBits-1:0] out_entry_d, out_entry_q;
  logic [GrpBits-1:0]   out_grp_d, out_grp_q;
  logic                 out_gfirst_d, out_gfirst_q, out_glast_d, out_glast_q;
  logic                 out_rfirst_d, out_rfirst_q, out_rlast_d, out_rlast_q;

  logic [UnitBits-1:0]  nxt_u;
  logic [NBits-1:0]     need, drop, n_after;
  logic                 row_first, row_last, fire, accept;
  logic [BeatBits-1:0]  beats_per_row;
  logic [BeatW-1:0]     beat_w;

  assign beats_per_row = BeatBits'(desc_cols_i >> $clog2(NumPe));
  assign row_first     = (beat_q == '0);
  assign row_last      = (beat_q == beats_per_row - 1'b1);

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

  // Beat extraction from the window.
  always_comb begin
    beat_w = '0;
    for (int o = 0; o < NumOff; o++) begin
      if (off_q == OffBits'(o)) begin
        beat_w = win_q[o*Gd*WeightBits +: BeatW];
      end
    end
  end

  assign fire = in_job_q && act_ready_i && (nwin_q >= need) && (!row_first || credit_ok_i);
  assign credit_take_o = fire && row_first;
  assign mem_stall_o   = in_job_q && !fire && !(row_first && !credit_ok_i);

  always_comb begin
    in_job_d      = in_job_q;
    rows_left_d   = rows_left_q;
    beat_d        = beat_q;
    off_d         = off_q;
    desc_pop_o    = 1'b0;
    act_release_o = 1'b0;
    n_after       = nwin_q;

    if (!in_job_q) begin
      if (desc_valid_i) begin
        in_job_d    = 1'b1;
        rows_left_d = desc_rows_i;
        beat_d      = '0;
      end
    end else if (fire) begin
      if (row_last) begin
        n_after     = nwin_q - need;
        off_d       = '0;
        beat_d      = '0;
        rows_left_d = rows_left_q - 1'b1;
        if (rows_left_q == RowBits'(1)) begin
          in_job_d      = 1'b0;
          desc_pop_o    = 1'b1;
          act_release_o = 1'b1;
        end
      end else begin
        n_after = nwin_q - drop;
        off_d   = OffBits'(nxt_u - UnitBits'(drop) * UnitBits'(NumOff));
        beat_d  = beat_q + 1'b1;
      end
    end

    // Shift out consumed words, append the next word behind the valid ones.
    accept = wgt_valid_i && (n_after < NBits'(K));
    win_d  = win_q;
    nwin_d = n_after + NBits'(accept);
    for (int j = 0; j < K; j++) begin
      for (int s = 1; s < K - j; s++) begin
        if ((nwin_q - n_after) == NBits'(s)) begin
          win_d[j*BusBits +: BusBits] = win_q[(j+s)*BusBits +: BusBits];
        end
      end
      if (accept && n_after == NBits'(j)) begin
        win_d[j*BusBits +: BusBits] = wgt_word_i;
      end
    end
  end

  assign wgt_pop_o = accept;

  // Output register (stage B0 of the PE pipeline).
  always_comb begin
    out_valid_d  = fire;
    out_w_d      = beat_w;
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
      nwin_q      <= '0;
      off_q       <= '0;
      out_valid_q <= 1'b0;
    end else begin
      in_job_q    <= in_job_d;
      rows_left_q <= rows_left_d;
      beat_q      <= beat_d;
      nwin_q      <= nwin_d;
      off_q       <= off_d;
      out_valid_q <= out_valid_d;
    end
  end

  // Datapath registers (no reset).
  always_ff @(posedge clk_i) begin
    win_q        <= win_d;
    out_w_q      <= out_w_d;
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

endmodule
