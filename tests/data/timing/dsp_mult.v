// A 16x16 multiply between fabric registers. PIPE = 0: the DSP48E2 is purely
// combinational (register -> DSP -> register); PIPE = 1: its input (A/B),
// M and P registers absorb the pipeline, so the product leaves the DSP from
// its P register.
module dsp_mult #(
  parameter PIPE = 0
) (
  input  wire        clk,
  input  wire [15:0] a,
  input  wire [15:0] b,
  output reg  [31:0] p
);
  reg [15:0] ra, rb;
  always @(posedge clk) begin
    ra <= a;
    rb <= b;
  end
  generate
    if (PIPE) begin : gen_pipe
      reg [15:0] a1, b1;
      reg [31:0] m, pr;
      always @(posedge clk) begin
        a1 <= ra;
        b1 <= rb;
        m  <= a1 * b1;
        pr <= m;
        p  <= pr;
      end
    end else begin : gen_comb
      always @(posedge clk) p <= ra * rb;
    end
  endgenerate
endmodule
