// binary32 add of the float unit (docs/arithmetic.md), combinational:
// DAZ inputs, exact sum rounded RNE to 24 bits with an unbounded exponent,
// FTZ below 2^-126, overflow to infinity, +0 for an exact cancellation,
// (-0)+(-0) = -0, canonical NaN for NaN inputs and inf-inf.
//
// Significands carry three extra bits (guard, round, sticky):
//   sig = {1, frac[22:0], G, R, S}  (27 bits); the aligned smaller operand
//   ORs every bit shifted past S into S, which keeps RNE exact.

`include "lf_pkg.sv"

module lf_fp_add (
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic [31:0] y_o
);

  logic        sa, sb;
  logic [7:0]  ea, eb;
  logic [22:0] ma, mb;
  logic        a_zero, b_zero, a_inf, b_inf, a_nan, b_nan;
  logic        a_big;
  logic        s_big, eff_sub;
  logic [7:0]  e_big, e_small, diff;
  logic [26:0] sig_big, sig_small, sig_al;
  logic [53:0] shifted;
  logic [27:0] sum;
  logic [26:0] norm;
  logic [4:0]  lzc;
  logic [23:0] mant;
  logic [24:0] mant_r;
  logic        guard, sticky, round_up;
  logic signed [10:0] exp_s;

  assign {sa, ea, ma} = a_i;
  assign {sb, eb, mb} = b_i;
  assign a_zero = (ea == 8'd0);
  assign b_zero = (eb == 8'd0);
  assign a_inf  = (ea == 8'hFF) && (ma == '0);
  assign b_inf  = (eb == 8'hFF) && (mb == '0);
  assign a_nan  = (ea == 8'hFF) && (ma != '0);
  assign b_nan  = (eb == 8'hFF) && (mb != '0);

  // Leading zeros of a 27-bit value (27 when zero; only used when nonzero).
  function automatic logic [4:0] lzc27(logic [26:0] x);
    logic [4:0] n;
    n = 5'd27;
    for (int i = 0; i < 27; i++) begin
      if (x[i]) begin
        n = 5'(26 - i);
      end
    end
    lzc27 = n;
  endfunction

  always_comb begin
    a_big     = {ea, ma} >= {eb, mb};
    s_big     = a_big ? sa : sb;
    e_big     = a_big ? ea : eb;
    e_small   = a_big ? eb : ea;
    sig_big   = {1'b1, a_big ? ma : mb, 3'b000};
    sig_small = {1'b1, a_big ? mb : ma, 3'b000};
    diff      = e_big - e_small;
    eff_sub   = sa ^ sb;

    // Align the smaller operand; everything shifted past S sets S.
    shifted = {sig_small, 27'd0} >> diff;
    if (diff >= 8'd54) begin
      sig_al = 27'd1;
    end else begin
      sig_al = {shifted[53:28], shifted[27] | (|shifted[26:0])};
    end

    sum = eff_sub ? ({1'b0, sig_big} - {1'b0, sig_al}) : ({1'b0, sig_big} + {1'b0, sig_al});

    // Normalize: carry out shifts right by one, cancellation shifts left.
    lzc   = lzc27(sum[26:0]);
    exp_s = 11'(signed'({3'b000, e_big}));
    norm  = '0;
    if (sum[27]) begin
      mant   = sum[27:4];
      guard  = sum[3];
      sticky = |sum[2:0];
      exp_s  = exp_s + 11'sd1;
    end else begin
      norm   = sum[26:0] << lzc;
      mant   = norm[26:3];
      guard  = norm[2];
      sticky = |norm[1:0];
      exp_s  = exp_s - 11'(signed'({6'd0, lzc}));
    end
    round_up = guard && (sticky || mant[0]);
    mant_r   = {1'b0, mant} + 25'(round_up);
    if (mant_r[24]) begin
      exp_s = exp_s + 11'sd1;
    end

    if (a_nan || b_nan || (a_inf && b_inf && (sa != sb))) begin
      y_o = lf_pkg::FP_CANON_NAN;
    end else if (a_inf) begin
      y_o = {sa, 8'hFF, 23'd0};
    end else if (b_inf) begin
      y_o = {sb, 8'hFF, 23'd0};
    end else if (a_zero && b_zero) begin
      y_o = {sa & sb, 31'd0};
    end else if (a_zero) begin
      y_o = b_i;
    end else if (b_zero) begin
      y_o = a_i;
    end else if (sum == '0) begin
      y_o = 32'd0;
    end else if (exp_s >= 11'sd255) begin
      y_o = {s_big, 8'hFF, 23'd0};
    end else if (exp_s <= 11'sd0) begin
      y_o = {s_big, 31'd0};
    end else begin
      y_o = {s_big, exp_s[7:0], mant_r[22:0]};
    end
  end

  // mant_r[23] is the hidden one; on a rounding carry mant_r is 2.0 and its
  // fraction bits are zero.
  logic unused_hidden;
  assign unused_hidden = mant_r[23];

endmodule
