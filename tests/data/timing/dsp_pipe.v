// A DSP48E2 instantiated with its A, B, M and P pipeline registers on
// (Yosys 0.23 does not pack fabric registers into the DSP, so inference
// cannot produce this configuration): P = A * B, three cycles of latency.
// Fabric registers on both sides so the DSP's own setup and clock-to-out
// arcs are on the timed paths.
module dsp_pipe (
  input  wire        clk,
  input  wire [15:0] a,
  input  wire [15:0] b,
  output reg  [31:0] p
);
  reg  [15:0] ra, rb;
  wire [47:0] pw;
  always @(posedge clk) begin
    ra <= a;
    rb <= b;
    p  <= pw[31:0];
  end
  DSP48E2 #(
    .AREG(1), .BREG(1), .ACASCREG(1), .BCASCREG(1), .MREG(1), .PREG(1),
    .CREG(0), .DREG(0), .ADREG(0), .OPMODEREG(0), .ALUMODEREG(0), .INMODEREG(0),
    .CARRYINREG(0), .CARRYINSELREG(0), .USE_MULT("MULTIPLY"), .AMULTSEL("A"),
    .BMULTSEL("B")
  ) u_dsp (
    .CLK(clk),
    .A({14'd0, ra}), .B({2'd0, rb}), .C(48'd0), .D(27'd0),
    .OPMODE(9'b000000101), .ALUMODE(4'b0000), .INMODE(5'b00000),
    .CARRYIN(1'b0), .CARRYINSEL(3'b000),
    .CEA1(1'b1), .CEA2(1'b1), .CEB1(1'b1), .CEB2(1'b1), .CEM(1'b1), .CEP(1'b1),
    .CEC(1'b0), .CED(1'b0), .CEAD(1'b0), .CEALUMODE(1'b0), .CECTRL(1'b0),
    .CECARRYIN(1'b0), .CEINMODE(1'b0),
    .RSTA(1'b0), .RSTB(1'b0), .RSTM(1'b0), .RSTP(1'b0), .RSTC(1'b0), .RSTD(1'b0),
    .RSTALLCARRYIN(1'b0), .RSTALUMODE(1'b0), .RSTCTRL(1'b0), .RSTINMODE(1'b0),
    .ACIN(30'd0), .BCIN(18'd0), .PCIN(48'd0), .CARRYCASCIN(1'b0), .MULTSIGNIN(1'b0),
    .P(pw)
  );
endmodule
