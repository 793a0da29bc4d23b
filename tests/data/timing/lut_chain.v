// A register-LUT-register chain of known depth: DEPTH instantiated LUT6 in
// series (the mapper keeps instantiated primitives), each combining the
// previous level with 5 register bits. Every register bit and every LUT
// drives exactly one pin (fanout 1), so the critical path is
// r -> DEPTH x LUT6 -> y.
module lut_chain #(
  parameter DEPTH = 4
) (
  input  wire               clk,
  input  wire [5*DEPTH:0]   a,
  output reg                y
);
  reg  [5*DEPTH:0] r;
  wire [DEPTH:0]   level;
  assign level[0] = r[5*DEPTH];
  genvar i;
  generate
    for (i = 0; i < DEPTH; i = i + 1) begin : gen_level
      LUT6 #(.INIT(64'h6996966996696996)) u_lut (
        .I0(level[i]), .I1(r[5*i]), .I2(r[5*i+1]), .I3(r[5*i+2]), .I4(r[5*i+3]),
        .I5(r[5*i+4]), .O(level[i+1]));
    end
  endgenerate
  always @(posedge clk) begin
    r <= a;
    y <= level[DEPTH];
  end
endmodule
