// Weight scale to binary32 (docs/arithmetic.md f32()): fp32 passes through,
// bf16 appends 16 zero bits, fp16 is rebiased; fp16 subnormals become a zero
// of the same sign, fp16 inf/NaN map to binary32 inf/NaN.

`include "lf_pkg.sv"

module lf_scale_cvt #(
  parameter int unsigned ScaleFmt = lf_pkg::ScaleFp32,
  localparam int unsigned ScaleBits = (ScaleFmt == lf_pkg::ScaleFp32) ? 32 : 16
) (
  input  logic [ScaleBits-1:0] s_i,
  output logic [31:0]          y_o
);

  if (ScaleFmt == lf_pkg::ScaleFp32) begin : gen_fp32
    assign y_o = s_i;
  end else if (ScaleFmt == lf_pkg::ScaleBf16) begin : gen_bf16
    assign y_o = {s_i, 16'd0};
  end else begin : gen_fp16
    logic       s;
    logic [4:0] e;
    logic [9:0] m;
    assign {s, e, m} = s_i;
    always_comb begin
      if (e == 5'd0) begin
        y_o = {s, 31'd0};
      end else if (e == 5'h1F) begin
        y_o = {s, 8'hFF, m, 13'd0};
      end else begin
        y_o = {s, 8'(e) + 8'd112, m, 13'd0};
      end
    end
  end

endmodule
