// Exact signed integer to binary32, RNE (docs/arithmetic.md i2f). The group
// dot product is below 2^33 in magnitude, so neither overflow nor underflow
// can occur; zero converts to +0.

`include "lf_pkg.sv"

module lf_fp_i2f #(
  parameter int unsigned InBits = 33
) (
  input  logic [InBits-1:0] d_i,   // two's complement
  output logic [31:0]       y_o
);

  // Work on a magnitude of at least 26 bits so that the 24 kept bits plus
  // guard and sticky always exist.
  localparam int unsigned MagBits = lf_pkg::max_u(InBits, 26);
  localparam int unsigned LzBits  = $clog2(MagBits + 1);

  logic               sign;
  logic [MagBits-1:0] mag, norm;
  logic [LzBits-1:0]  lz;
  logic [23:0]        mant;
  logic [24:0]        mant_r;
  logic               guard, sticky, round_up;
  logic [8:0]         exp_b;

  function automatic logic [LzBits-1:0] lzc(logic [MagBits-1:0] x);
    logic [LzBits-1:0] n;
    n = LzBits'(MagBits);
    for (int i = 0; i < MagBits; i++) begin
      if (x[i]) begin
        n = LzBits'(MagBits - 1 - i);
      end
    end
    lzc = n;
  endfunction

  always_comb begin
    sign = d_i[InBits-1];
    // Left-align the magnitude (-min fits as unsigned InBits bits).
    mag  = {(sign ? (~d_i + 1'b1) : d_i), {(MagBits - InBits){1'b0}}};
    lz   = lzc(mag);
    norm = mag << lz;
    mant     = norm[MagBits-1 -: 24];
    guard    = norm[MagBits-25];
    sticky   = |norm[MagBits-26:0];
    round_up = guard && (sticky || mant[0]);
    mant_r   = {1'b0, mant} + 25'(round_up);
    // Value = 1.f * 2^(InBits-1-lz).
    exp_b    = 9'(127 + InBits - 1) - 9'(lz) + 9'(mant_r[24]);
    if (d_i == '0) begin
      y_o = 32'd0;
    end else begin
      y_o = {sign, exp_b[7:0], mant_r[22:0]};
    end
  end

  // mant_r[23] is the hidden one; on a rounding carry mant_r is 2.0 and its
  // fraction bits are zero. exp_b[8] is always 0 (|d| < 2^64).
  logic unused_bits;
  assign unused_bits = ^{mant_r[23], exp_b[8]};

  if (InBits > 64 || InBits < 2) begin : gen_param_check
    $fatal(1, "lf_fp_i2f: InBits must be 2..64");
  end

endmodule
