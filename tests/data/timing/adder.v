// A 32-bit adder between registers: the carry chain is the critical path.
module adder (
  input  wire        clk,
  input  wire [31:0] a,
  input  wire [31:0] b,
  output reg  [31:0] s
);
  reg [31:0] ra, rb;
  always @(posedge clk) begin
    ra <= a;
    rb <= b;
    s  <= ra + rb;
  end
endmodule
