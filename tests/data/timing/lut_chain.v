// Register -> 3 levels of 6-input logic -> register: each level is a LUT6
// whose output feeds only the next level (fanout 1), so the critical path is
// r_q -> LUT6 -> LUT6 -> LUT6 -> y_q with known cells. Inputs are registered
// so every path starts at a flip-flop.
module lut_chain (
  input  wire        clk,
  input  wire [15:0] a,
  output reg         y
);
  reg [15:0] r;
  // (* keep *) stops Yosys merging the levels into fewer, wider functions.
  (* keep *) wire l1 = ^(r[5:0]) | (r[0] & r[1]);
  (* keep *) wire l2 = l1 ^ (r[6] & r[7]) ^ (r[8] | r[9]) ^ r[10];
  (* keep *) wire l3 = l2 ^ (r[11] & r[12]) ^ (r[13] | r[14]) ^ r[15];
  always @(posedge clk) begin
    r <= a;
    y <= l3;
  end
endmodule
