// Exact signed integer to binary32, RNE (docs/arithmetic.md i2f), pipelined
// with a fixed latency of 5 cycles (d_i -> y_o); side_i travels alongside.
// The group dot product is below 2^33 in magnitude, so neither overflow nor
// underflow can occur; zero converts to +0.
//
//   I1: sign and magnitude          I2: leading-zero count
//   I3: normalize (shift left)      I4: guard/sticky, round decision, exponent
//   I5: increment the significand and pack

`include "lf_pkg.sv"

module lf_fp_i2f #(
  parameter int unsigned InBits   = 33,
  parameter int unsigned SideBits = 1
) (
  input  logic                clk_i,
  input  logic                rst_ni,   // resets the side channel only
  input  logic [InBits-1:0]   d_i,      // two's complement
  input  logic [SideBits-1:0] side_i,
  output logic [31:0]         y_o,
  output logic [SideBits-1:0] side_o
);

  localparam int unsigned Latency = 5;
  // Work on a magnitude of at least 26 bits so that the 24 kept bits plus
  // guard and sticky always exist.
  localparam int unsigned MagBits = lf_pkg::max_u(InBits, 26);
  localparam int unsigned LzBits  = $clog2(MagBits + 1);

  // I1: magnitude, left-aligned (-min fits as unsigned InBits bits).
  logic               sign1_d, sign1_q, zero1_d, zero1_q;
  logic [MagBits-1:0] mag1_d, mag1_q;

  always_comb begin
    sign1_d = d_i[InBits-1];
    zero1_d = (d_i == '0);
    mag1_d  = {(sign1_d ? (~d_i + 1'b1) : d_i), {(MagBits - InBits){1'b0}}};
  end

  always_ff @(posedge clk_i) begin
    sign1_q <= sign1_d;
    zero1_q <= zero1_d;
    mag1_q  <= mag1_d;
  end

  // I2: leading zeros.
  logic [LzBits-1:0]  lz;
  logic               sign2_q, zero2_q;
  logic [MagBits-1:0] mag2_q;
  logic [LzBits-1:0]  lz2_q;

  lf_lzc #(
    .Width(MagBits)
  ) u_lzc (
    .x_i   (mag1_q),
    .cnt_o (lz),
    .zero_o()
  );

  always_ff @(posedge clk_i) begin
    sign2_q <= sign1_q;
    zero2_q <= zero1_q;
    mag2_q  <= mag1_q;
    lz2_q   <= lz;
  end

  // I3: normalize. Value = 1.f * 2^(InBits-1-lz): biased exponent
  // 127 + InBits - 1 - lz, plus one on a rounding carry.
  logic               sign3_q, zero3_q;
  logic [MagBits-1:0] norm3_d, norm3_q;
  logic [8:0]         exp3_d, exp3_q;

  assign norm3_d = mag2_q << lz2_q;
  assign exp3_d  = 9'(127 + InBits - 1) - 9'(lz2_q);

  always_ff @(posedge clk_i) begin
    sign3_q <= sign2_q;
    zero3_q <= zero2_q;
    norm3_q <= norm3_d;
    exp3_q  <= exp3_d;
  end

  // I4: round decision; a carry out of the significand is known here.
  logic [23:0] mant4;
  logic        guard4, sticky4, up4;

  always_comb begin
    mant4   = norm3_q[MagBits-1 -: 24];
    guard4  = norm3_q[MagBits-25];
    sticky4 = |norm3_q[MagBits-26:0];
    up4     = guard4 && (sticky4 || mant4[0]);
  end

  logic        sign4_q, zero4_q, up4_q;
  logic [22:0] frac4_q;
  logic [7:0]  exp4_d, exp4_q;

  assign exp4_d = exp3_q[7:0] + 8'(up4 && (&mant4));

  always_ff @(posedge clk_i) begin
    sign4_q <= sign3_q;
    zero4_q <= zero3_q;
    up4_q   <= up4;
    frac4_q <= mant4[22:0];
    exp4_q  <= exp4_d;
  end

  // I5: on a rounding carry the fraction wraps to zero (significand 2.0).
  logic [31:0] y_d, y_q;

  assign y_d = zero4_q ? 32'd0 : {sign4_q, exp4_q, frac4_q + 23'(up4_q)};

  always_ff @(posedge clk_i) begin
    y_q <= y_d;
  end

  assign y_o = y_q;

  // exp3_q[8] is always 0 (|d| < 2^64); mant4[23] is the hidden one.
  logic unused_bits;
  assign unused_bits = ^{exp3_q[8], mant4[23]};

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

  if (InBits > 64 || InBits < 2) begin : gen_param_check
    $fatal(1, "lf_fp_i2f: InBits must be 2..64");
  end

endmodule
