// Row sum of the float unit (docs/arithmetic.md, "Row sum"): the exact sum of
// a row's binary32 group products, rounded once. One term per cycle, rows
// back to back (a row may be a single term); fixed latency, no stalls. Bit
// for bit the C++ hwfloat::ExactSum.
//
// The sum is a fixed-point number whose bit i weighs 2^(i-150), kept as
// NumChunks chunks of 32 bits, each with its own carries (ChunkBits wide,
// signed). A normal term (exponent field e, significand m with the hidden
// one) is m << e: its low 32 bits of m << (e mod 32) go to chunk e/32, the
// rest (< 2^24) to chunk e/32 + 1, so no carry crosses chunks while a row is
// summed and the loop is one ChunkBits-bit add.
//
//   A1: align       m << (e mod 32) into a 56-bit window; chunk e/32; class
//   A2: addends     per chunk: window part or 0, negated for a negative term
//   A3: accumulate  chunk += addend (the first term of a row replaces);
//                   the row's chunks are captured at its last term
//   R1..R4:         carries rippled up, two chunks per stage (two's complement)
//   N1, N2:         magnitude (~x + 1 chunkwise: a chunk's +1 carry-in is the
//                   AND of the zero flags of the chunks below)
//   L1..L4:         leading chunk, 64-bit window, leading zeros, normalize
//   L5, L6:         round decision and exponent, increment and pack

`include "lf_pkg.sv"

module lf_row_acc #(
  parameter int unsigned MaxTerms = 64   // most terms (groups) in a row
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        t_valid_i,
  input  logic [31:0] t_i,
  input  logic        t_first_i,   // first term of a row
  input  logic        t_last_i,    // last term of a row
  output logic        y_valid_o,
  output logic [31:0] y_o
);

  // Terms reach bit 277 (e = 254); |sum| < MaxTerms * 2^278 must stay below
  // 2^(32*NumChunks - 1). A chunk gains < 2^32 in magnitude per term and one
  // ripple carry (<= MaxTerms + 1) on the way up.
  localparam int unsigned TermBits  = $clog2(MaxTerms + 1);
  localparam int unsigned NumChunks = lf_pkg::max_u(9, (279 + TermBits + 31) / 32);
  localparam int unsigned ChunkBits = 34 + TermBits;
  localparam int unsigned CB        = ChunkBits;
  localparam int unsigned NC        = NumChunks;
  localparam int unsigned JBits     = $clog2(NC);
  // Flags travelling with a row: {neg_inf, pos_inf, nan}.
  localparam int unsigned FlagBits  = 3;

  // A1 ------------------------------------------------------------------------
  logic [7:0]  e;
  logic [55:0] win1_d;
  logic        v1_q, first1_q, last1_q, neg1_q, zero1_q;
  logic [2:0]  k1_q;
  logic [55:0] win1_q;
  logic [FlagBits-1:0] flags1_d, flags1_q;

  assign e      = t_i[30:23];
  assign win1_d = 56'({1'b1, t_i[22:0]}) << e[4:0];

  always_comb begin
    flags1_d = '0;
    if (e == 8'hFF) begin
      if (t_i[22:0] != '0) begin
        flags1_d[0] = 1'b1;
      end else if (t_i[31]) begin
        flags1_d[2] = 1'b1;
      end else begin
        flags1_d[1] = 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      v1_q <= 1'b0;
    end else begin
      v1_q <= t_valid_i;
    end
  end

  // zero1: the term adds nothing (zero, subnormal read as zero, inf, NaN).
  always_ff @(posedge clk_i) begin
    first1_q <= t_first_i;
    last1_q  <= t_last_i;
    neg1_q   <= t_i[31];
    zero1_q  <= (e == 8'd0) || (e == 8'hFF);
    k1_q     <= e[7:5];
    win1_q   <= win1_d;
    flags1_q <= flags1_d;
  end

  // A2 ------------------------------------------------------------------------
  logic [NC*CB-1:0]    add2_d, add2_q;   // chunk c at [c*CB +: CB]
  logic                v2_q, first2_q, last2_q;
  logic [FlagBits-1:0] flags2_q;

  logic [NC*CB-1:0] x2;   // the term's part in each chunk, unsigned

  always_comb begin
    x2 = '0;
    for (int c = 0; c < NC; c++) begin
      if (!zero1_q && 3'(c) == k1_q && c < 8) begin
        x2[c*CB +: CB] = CB'(win1_q[31:0]);
      end else if (!zero1_q && c >= 1 && 3'(c - 1) == k1_q && c <= 8) begin
        x2[c*CB +: CB] = CB'(win1_q[55:32]);
      end
      add2_d[c*CB +: CB] = neg1_q ? (~x2[c*CB +: CB] + 1'b1) : x2[c*CB +: CB];
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      v2_q <= 1'b0;
    end else begin
      v2_q <= v1_q;
    end
  end

  always_ff @(posedge clk_i) begin
    add2_q   <= add2_d;
    first2_q <= first1_q;
    last2_q  <= last1_q;
    flags2_q <= flags1_q;
  end

  // A3 ------------------------------------------------------------------------
  logic [NC*CB-1:0]    acc_d, acc_q;
  logic [FlagBits-1:0] facc_d, facc_q;
  logic                snap_v_d;

  always_comb begin
    acc_d  = acc_q;
    facc_d = facc_q;
    if (v2_q) begin
      for (int c = 0; c < NC; c++) begin
        acc_d[c*CB +: CB] = (first2_q ? CB'(0) : acc_q[c*CB +: CB]) + add2_q[c*CB +: CB];
      end
      facc_d = (first2_q ? '0 : facc_q) | flags2_q;
    end
  end

  assign snap_v_d = v2_q && last2_q;

  always_ff @(posedge clk_i) begin
    acc_q  <= acc_d;
    facc_q <= facc_d;
  end

  // R0 (capture) .. R(RSteps): stage j holds the row's chunks with carries
  // resolved below chunk j*RipplePer (two chained carry chains per stage).
  // Stage state: {valid, flags, chunks}.
  localparam int unsigned RipplePer = 2;
  localparam int unsigned RSteps    = (NC - 1 + RipplePer - 1) / RipplePer;
  localparam int unsigned RStages   = 1 + RSteps;

  for (genvar j = 0; j < RStages; j++) begin : gen_rip
    logic                v_d, v_q;
    logic [FlagBits-1:0] f_d, f_q;
    logic [NC*CB-1:0]    c_d, c_q;

    if (j == 0) begin : gen_capture
      assign v_d = snap_v_d;
      assign f_d = facc_d;
      assign c_d = acc_d;
    end else begin : gen_step
      // Chunk i keeps its low 32 bits; the rest (signed) moves up to i+1.
      always_comb begin
        v_d = gen_rip[j-1].v_q;
        f_d = gen_rip[j-1].f_q;
        c_d = gen_rip[j-1].c_q;
        for (int i = (j - 1) * RipplePer; i < j * RipplePer && i < NC - 1; i++) begin
          c_d[(i+1)*CB +: CB] = c_d[(i+1)*CB +: CB] + CB'(signed'(c_d[i*CB + 32 +: CB - 32]));
          c_d[i*CB +: CB]     = CB'(c_d[i*CB +: 32]);
        end
      end
    end

    always_ff @(posedge clk_i) begin
      if (!rst_ni) begin
        v_q <= 1'b0;
      end else begin
        v_q <= v_d;
      end
    end

    // Only rows' last terms are captured.
    always_ff @(posedge clk_i) begin
      if (v_d) begin
        f_q <= f_d;
        c_q <= c_d;
      end
    end
  end

  // Two's complement digits: 32 bits per chunk; the top chunk's bit 31 is the
  // sign (|sum| < 2^(32*NC - 1)).
  logic                rv;
  logic [FlagBits-1:0] rflags;
  logic [NC*32-1:0]    dig;

  assign rv     = gen_rip[RStages-1].v_q;
  assign rflags = gen_rip[RStages-1].f_q;
  always_comb begin
    for (int c = 0; c < NC; c++) begin
      dig[c*32 +: 32] = gen_rip[RStages-1].c_q[c*CB +: 32];
    end
  end

  logic unused_rip;
  always_comb begin
    unused_rip = 1'b0;
    for (int c = 0; c < NC; c++) begin
      unused_rip = unused_rip ^ (^gen_rip[RStages-1].c_q[c*CB + 32 +: CB - 32]);
    end
  end

  // N1: zero flags -> carry-ins of ~x + 1.
  logic                nv1_q, nsign1_q;
  logic [FlagBits-1:0] nflags1_q;
  logic [NC*32-1:0]    ndig1_q;
  logic [NC-1:0]       cin1_d, cin1_q;
  logic                sign_r;

  assign sign_r = dig[NC*32-1];

  logic [NC-1:0] dzero;   // digit c is zero

  always_comb begin
    for (int c = 0; c < NC; c++) begin
      dzero[c] = (dig[c*32 +: 32] == '0);
    end
    // Digit c gets the +1 when every digit below it is zero.
    for (int c = 0; c < NC; c++) begin
      cin1_d[c] = sign_r && (&(dzero | ~NC'((64'd1 << c) - 1)));
    end
  end

  // N2: magnitude.
  logic             nv2_q, nsign2_q;
  logic [FlagBits-1:0] nflags2_q;
  logic [NC*32-1:0] mag2_d, mag2_q;

  always_comb begin
    for (int c = 0; c < NC; c++) begin
      mag2_d[c*32 +: 32] = nsign1_q ? (~ndig1_q[c*32 +: 32] + 32'(cin1_q[c]))
                                    : ndig1_q[c*32 +: 32];
    end
  end

  // L1: nonzero chunks.
  logic                lv1_q, lsign1_q;
  logic [FlagBits-1:0] lflags1_q;
  logic [NC*32-1:0]    lmag1_q;
  logic [NC-1:0]       nz1_d, nz1_q;

  always_comb begin
    for (int c = 0; c < NC; c++) begin
      nz1_d[c] = (mag2_q[c*32 +: 32] != '0);
    end
  end

  // L2: leading chunk J, window {chunk J, chunk J-1}, sticky of the rest.
  logic                lv2_q, lsign2_q, lzero2_d, lzero2_q;
  logic [FlagBits-1:0] lflags2_q;
  logic [63:0]         win2_d, win2_q;
  logic [JBits-1:0]    j2_d, j2_q;
  logic                stk2_d, stk2_q;

  always_comb begin
    win2_d   = '0;
    j2_d     = '0;
    lzero2_d = 1'b1;
    for (int c = 0; c < NC; c++) begin
      if (nz1_q[c]) begin
        j2_d     = JBits'(c);
        lzero2_d = 1'b0;
        win2_d   = {lmag1_q[c*32 +: 32], (c > 0) ? lmag1_q[(c-1)*32 +: 32] : 32'd0};
      end
    end
    // Nonzero chunks below J-1: chunk c with a nonzero chunk at c+2 or above.
    stk2_d = 1'b0;
    for (int c = 0; c + 2 < NC; c++) begin
      if (nz1_q[c] && ((nz1_q >> (c + 2)) != '0)) begin
        stk2_d = 1'b1;
      end
    end
  end

  // L3: leading zeros of the window's top chunk.
  logic                lv3_q, lsign3_q, lzero3_q, stk3_q;
  logic [FlagBits-1:0] lflags3_q;
  logic [63:0]         win3_q;
  logic [JBits-1:0]    j3_q;
  logic [5:0]          lz3_d;
  logic [4:0]          lz3_q;

  lf_lzc #(
    .Width(32)
  ) u_lzc (
    .x_i   (win2_q[63:32]),
    .cnt_o (lz3_d),
    .zero_o()
  );

  // L4: normalize; leading one at bit lead = 32*J + 31 - lz, biased exponent
  // lead - 23 (bit 0 weighs 2^-150).
  logic                lv4_q, lsign4_q, lzero4_q;
  logic [FlagBits-1:0] lflags4_q;
  logic [63:0]         norm4;
  logic [23:0]         mant4_d, mant4_q;
  logic                guard4_d, guard4_q, stk4_d, stk4_q;
  logic signed [10:0]  exp4_d;
  // The exponent is exp4 or exp4 + 1 (rounding carry): both candidates and
  // their range checks are ready before L5 needs them.
  logic [15:0]         ecand4_d, ecand4_q;   // candidate k at [8k +: 8]
  logic [1:0]          ovf4_d, ovf4_q, unf4_d, unf4_q;

  always_comb begin
    norm4    = win3_q << lz3_q;
    mant4_d  = norm4[63:40];
    guard4_d = norm4[39];
    stk4_d   = stk3_q || (|norm4[38:0]);
    exp4_d   = 11'(32 * 32'(j3_q)) + 11'sd8 - 11'(lz3_q);
    for (int k = 0; k < 2; k++) begin
      ecand4_d[8*k +: 8] = exp4_d[7:0] + 8'(k);
      ovf4_d[k]          = exp4_d >= $signed(11'(255 - k));
      unf4_d[k]          = exp4_d <= $signed(11'(-k));
    end
  end

  // L5: round decision; a carry out of the significand is known here.
  logic                lv5_q, lsign5_q;
  logic [1:0]          cls5_d, cls5_q;     // 0 finite, 1 zero, 2 inf, 3 NaN
  logic                up5_d, up5_q;
  logic [22:0]         frac5_q;
  logic [7:0]          exp5_q;
  logic                k5;

  always_comb begin
    up5_d = guard4_q && (stk4_q || mant4_q[0]);
    k5    = up5_d && (&mant4_q);
    if (lflags4_q[0] || (lflags4_q[1] && lflags4_q[2])) begin
      cls5_d = 2'd3;
    end else if (lflags4_q[1] || lflags4_q[2]) begin
      cls5_d = 2'd2;
    end else if (lzero4_q || unf4_q[k5]) begin
      cls5_d = 2'd1;
    end else if (ovf4_q[k5]) begin
      cls5_d = 2'd2;
    end else begin
      cls5_d = 2'd0;
    end
  end

  // L6: pack. An infinite term gives its own sign; a zero sum is +0; a
  // flushed or overflowing sum keeps the sum's sign.
  logic        sign6;
  logic [31:0] y_d, y_q;
  logic        yv_q;

  always_comb begin
    sign6 = lsign5_q;
    unique case (cls5_q)
      2'd3:    y_d = lf_pkg::FP_CANON_NAN;
      2'd2:    y_d = {sign6, 8'hFF, 23'd0};
      2'd1:    y_d = {sign6, 31'd0};
      default: y_d = {sign6, exp5_q, frac5_q + 23'(up5_q)};
    endcase
  end

  // Sign for L5: an infinite row is -inf only when no +inf; a zero sum is +0.
  logic lsign5_d;
  assign lsign5_d = (lflags4_q[1] || lflags4_q[2]) ? lflags4_q[2] : (lsign4_q && !lzero4_q);

  // Pipeline registers N1 .. L6 (valid reset, the rest datapath).
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      nv1_q <= 1'b0;
      nv2_q <= 1'b0;
      lv1_q <= 1'b0;
      lv2_q <= 1'b0;
      lv3_q <= 1'b0;
      lv4_q <= 1'b0;
      lv5_q <= 1'b0;
      yv_q  <= 1'b0;
    end else begin
      nv1_q <= rv;
      nv2_q <= nv1_q;
      lv1_q <= nv2_q;
      lv2_q <= lv1_q;
      lv3_q <= lv2_q;
      lv4_q <= lv3_q;
      lv5_q <= lv4_q;
      yv_q  <= lv5_q;
    end
  end

  always_ff @(posedge clk_i) begin
    // N1
    nsign1_q  <= sign_r;
    nflags1_q <= rflags;
    ndig1_q   <= dig;
    cin1_q    <= cin1_d;
    // N2
    nsign2_q  <= nsign1_q;
    nflags2_q <= nflags1_q;
    mag2_q    <= mag2_d;
    // L1
    lsign1_q  <= nsign2_q;
    lflags1_q <= nflags2_q;
    lmag1_q   <= mag2_q;
    nz1_q     <= nz1_d;
    // L2
    lsign2_q  <= lsign1_q;
    lflags2_q <= lflags1_q;
    lzero2_q  <= lzero2_d;
    win2_q    <= win2_d;
    j2_q      <= j2_d;
    stk2_q    <= stk2_d;
    // L3
    lsign3_q  <= lsign2_q;
    lflags3_q <= lflags2_q;
    lzero3_q  <= lzero2_q;
    win3_q    <= win2_q;
    j3_q      <= j2_q;
    stk3_q    <= stk2_q;
    lz3_q     <= lz3_d[4:0];
    // L4
    lsign4_q  <= lsign3_q;
    lflags4_q <= lflags3_q;
    lzero4_q  <= lzero3_q;
    mant4_q   <= mant4_d;
    guard4_q  <= guard4_d;
    stk4_q    <= stk4_d;
    ecand4_q  <= ecand4_d;
    ovf4_q    <= ovf4_d;
    unf4_q    <= unf4_d;
    // L5
    lsign5_q  <= lsign5_d;
    cls5_q    <= cls5_d;
    up5_q     <= up5_d;
    frac5_q   <= mant4_q[22:0];
    exp5_q    <= ecand4_q[8*k5 +: 8];
    // L6
    y_q       <= y_d;
  end

  assign y_valid_o = yv_q;
  assign y_o       = y_q;

  // lz3_d[5] is set only for an all-zero window (then the row is zero);
  // mant4_q[23] is the hidden one; lv5_q feeds yv_q.
  logic unused_bits;
  assign unused_bits = ^{lz3_d[5], mant4_q[23], unused_rip};

endmodule
