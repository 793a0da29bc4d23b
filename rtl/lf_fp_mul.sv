// binary32 multiply of the float unit (docs/arithmetic.md), combinational:
// DAZ inputs, RNE to 24 bits with an unbounded exponent, then FTZ below
// 2^-126 and overflow to infinity; canonical NaN for NaN inputs and inf*0.

`include "lf_pkg.sv"

module lf_fp_mul (
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic [31:0] y_o
);

  logic        sa, sb, sy;
  logic [7:0]  ea, eb;
  logic [22:0] ma, mb;
  logic        a_zero, b_zero, a_inf, b_inf, a_nan, b_nan;
  logic [47:0] prod;
  logic [23:0] mant;
  logic [24:0] mant_r;
  logic        guard, sticky, round_up;
  logic signed [10:0] exp_s;

  assign {sa, ea, ma} = a_i;
  assign {sb, eb, mb} = b_i;
  assign sy     = sa ^ sb;
  assign a_zero = (ea == 8'd0);
  assign b_zero = (eb == 8'd0);
  assign a_inf  = (ea == 8'hFF) && (ma == '0);
  assign b_inf  = (eb == 8'hFF) && (mb == '0);
  assign a_nan  = (ea == 8'hFF) && (ma != '0);
  assign b_nan  = (eb == 8'hFF) && (mb != '0);

  assign prod = {1'b1, ma} * {1'b1, mb};

  always_comb begin
    // Product of two significands in [1,4): normalize by at most one place.
    exp_s = 11'(signed'({3'b000, ea})) + 11'(signed'({3'b000, eb})) - 11'sd127;
    if (prod[47]) begin
      mant   = prod[47:24];
      guard  = prod[23];
      sticky = |prod[22:0];
      exp_s  = exp_s + 11'sd1;
    end else begin
      mant   = prod[46:23];
      guard  = prod[22];
      sticky = |prod[21:0];
    end
    round_up = guard && (sticky || mant[0]);
    mant_r   = {1'b0, mant} + 25'(round_up);
    if (mant_r[24]) begin
      exp_s = exp_s + 11'sd1;
    end

    if (a_nan || b_nan || (a_inf && b_zero) || (a_zero && b_inf)) begin
      y_o = lf_pkg::FP_CANON_NAN;
    end else if (a_inf || b_inf) begin
      y_o = {sy, 8'hFF, 23'd0};
    end else if (a_zero || b_zero) begin
      y_o = {sy, 31'd0};
    end else if (exp_s >= 11'sd255) begin
      y_o = {sy, 8'hFF, 23'd0};
    end else if (exp_s <= 11'sd0) begin
      y_o = {sy, 31'd0};
    end else begin
      y_o = {sy, exp_s[7:0], mant_r[22:0]};
    end
  end

  // mant_r[23] is the hidden one; on a rounding carry mant_r is 2.0 and its
  // fraction bits are zero.
  logic unused_hidden;
  assign unused_hidden = mant_r[23];

endmodule
