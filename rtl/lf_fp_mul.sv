// binary32 multiply of the float unit (docs/arithmetic.md), pipelined with a
// fixed latency of 5 cycles (a_i/b_i -> y_o); side_i travels alongside and
// comes out with its product. DAZ inputs, RNE to 24 bits with an unbounded
// exponent, then FTZ below 2^-126 and overflow to infinity; canonical NaN
// for NaN inputs and inf*0.
//
//   M1: operands registered (DSP A/B registers); class and exponent sum
//   M2: two partial products {1,ma} * mb[16:0] and {1,ma} * {1,mb[22:17]}
//       (24x17 and 24x7 bits: one DSP48E2 each, product in its M register)
//   M3: prod = lo + (hi << 17)                                 (48 bits)
//   M4: normalize by one place, guard/sticky, round decision, final exponent
//   M5: increment the significand, pack and select the special cases

`include "lf_pkg.sv"

module lf_fp_mul #(
  parameter int unsigned SideBits = 1
) (
  input  logic                clk_i,
  input  logic                rst_ni,   // resets the side channel only
  input  logic [31:0]         a_i,
  input  logic [31:0]         b_i,
  input  logic [SideBits-1:0] side_i,
  output logic [31:0]         y_o,
  output logic [SideBits-1:0] side_o
);

  localparam int unsigned Latency = 5;

  // Result class, decided from the operands alone.
  typedef enum logic [1:0] {
    ClsNormal = 2'd0,
    ClsZero   = 2'd1,
    ClsInf    = 2'd2,
    ClsNan    = 2'd3
  } cls_e;

  // M1 ------------------------------------------------------------------------
  logic [31:0] a1_q, b1_q;

  always_ff @(posedge clk_i) begin
    a1_q <= a_i;
    b1_q <= b_i;
  end

  logic        sa, sb;
  logic [7:0]  ea, eb;
  logic [22:0] ma, mb;
  logic        a_zero, b_zero, a_inf, b_inf, a_nan, b_nan;
  cls_e        cls1;
  logic signed [10:0] esum1;

  assign {sa, ea, ma} = a1_q;
  assign {sb, eb, mb} = b1_q;
  assign a_zero = (ea == 8'd0);
  assign b_zero = (eb == 8'd0);
  assign a_inf  = (ea == 8'hFF) && (ma == '0);
  assign b_inf  = (eb == 8'hFF) && (mb == '0);
  assign a_nan  = (ea == 8'hFF) && (ma != '0);
  assign b_nan  = (eb == 8'hFF) && (mb != '0);

  always_comb begin
    if (a_nan || b_nan || (a_inf && b_zero) || (a_zero && b_inf)) begin
      cls1 = ClsNan;
    end else if (a_inf || b_inf) begin
      cls1 = ClsInf;
    end else if (a_zero || b_zero) begin
      cls1 = ClsZero;
    end else begin
      cls1 = ClsNormal;
    end
    esum1 = 11'(signed'({3'b000, ea})) + 11'(signed'({3'b000, eb})) - 11'sd127;
  end

  // M2 ------------------------------------------------------------------------
  logic [40:0]        plo2_d, plo2_q;   // {1,ma} * mb[16:0]
  logic [30:0]        phi2_d, phi2_q;   // {1,ma} * {1,mb[22:17]}
  logic               s2_q;
  cls_e               cls2_q;
  logic signed [10:0] esum2_q;

  assign plo2_d = {1'b1, ma} * mb[16:0];
  assign phi2_d = {1'b1, ma} * {1'b1, mb[22:17]};

  always_ff @(posedge clk_i) begin
    plo2_q  <= plo2_d;
    phi2_q  <= phi2_d;
    s2_q    <= sa ^ sb;
    cls2_q  <= cls1;
    esum2_q <= esum1;
  end

  // M3 ------------------------------------------------------------------------
  // The exponent is esum + k, k = prod[47] + (rounding carry) in 0..2: its
  // candidates and their range checks are ready before M4 needs them.
  logic [47:0] prod3_d, prod3_q;
  logic        s3_q;
  cls_e        cls3_q;
  logic [3:0]  ovf3_d, ovf3_q, unf3_d, unf3_q;   // candidate k >= 255 / <= 0 (k = 3 unused)
  logic [31:0] ecand3_d, ecand3_q;               // candidate k at [8k +: 8]

  always_comb begin
    prod3_d = 48'(plo2_q) + {phi2_q, 17'd0};
    for (int k = 0; k < 4; k++) begin
      ovf3_d[k]          = esum2_q >= $signed(11'(255 - k));
      unf3_d[k]          = esum2_q <= $signed(11'(-k));
      ecand3_d[8*k +: 8] = esum2_q[7:0] + 8'(k);
    end
  end

  always_ff @(posedge clk_i) begin
    prod3_q  <= prod3_d;
    s3_q     <= s2_q;
    cls3_q   <= cls2_q;
    ovf3_q   <= ovf3_d;
    unf3_q   <= unf3_d;
    ecand3_q <= ecand3_d;
  end

  // M4 ------------------------------------------------------------------------
  // Product of two significands in [1,4): normalize by at most one place.
  // A rounding carry (mant all ones and round_up) bumps the exponent; it is
  // known here, so M5 only increments.
  logic [23:0] mant4;
  logic        guard4, sticky4, up4;
  logic [1:0]  k4;

  always_comb begin
    if (prod3_q[47]) begin
      mant4   = prod3_q[47:24];
      guard4  = prod3_q[23];
      sticky4 = |prod3_q[22:0];
    end else begin
      mant4   = prod3_q[46:23];
      guard4  = prod3_q[22];
      sticky4 = |prod3_q[21:0];
    end
    up4 = guard4 && (sticky4 || mant4[0]);
    k4  = 2'(prod3_q[47]) + 2'(up4 && (&mant4));
  end

  logic [22:0] frac5_q;
  logic        up5_q, s5_q;
  cls_e        cls5_d, cls5_q;
  logic [7:0]  exp5_q;

  always_comb begin
    if (cls3_q == ClsNormal && ovf3_q[k4]) begin
      cls5_d = ClsInf;
    end else if (cls3_q == ClsNormal && unf3_q[k4]) begin
      cls5_d = ClsZero;
    end else begin
      cls5_d = cls3_q;
    end
  end

  always_ff @(posedge clk_i) begin
    frac5_q <= mant4[22:0];
    up5_q   <= up4;
    s5_q    <= s3_q;
    exp5_q  <= ecand3_q[8*k4 +: 8];
    cls5_q  <= cls5_d;
  end

  // M5 ------------------------------------------------------------------------
  // On a rounding carry the fraction wraps to zero (the significand is 2.0,
  // the exponent already counts it).
  logic [22:0] frac_r;
  logic [31:0] y_d, y_q;

  assign frac_r = frac5_q + 23'(up5_q);

  always_comb begin
    unique case (cls5_q)
      ClsNan:  y_d = lf_pkg::FP_CANON_NAN;
      ClsInf:  y_d = {s5_q, 8'hFF, 23'd0};
      ClsZero: y_d = {s5_q, 31'd0};
      default: y_d = {s5_q, exp5_q, frac_r};
    endcase
  end

  always_ff @(posedge clk_i) begin
    y_q <= y_d;
  end

  assign y_o = y_q;

  // Side channel: a shift register of Latency stages.
  logic [Latency*SideBits-1:0] side_d, side_q;

  always_comb begin
    side_d = side_q << SideBits;
    side_d[SideBits-1:0] = side_i;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      side_q <= '0;
    end else begin
      side_q <= side_d;
    end
  end

  assign side_o = side_q[(Latency-1)*SideBits +: SideBits];

endmodule
