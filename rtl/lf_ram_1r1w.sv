// Simple dual-port RAM (one write port, one registered read port), the
// inference template for block RAM / LUTRAM. The memory array is the one
// place where `always_ff` writes storage directly instead of a _d/_q pair.

`include "lf_pkg.sv"

module lf_ram_1r1w #(
  parameter int unsigned Width = 32,
  parameter int unsigned Depth = 64,
  localparam int unsigned AddrBits = lf_pkg::clog2_min1(Depth)
) (
  input  logic                clk_i,
  input  logic                we_i,
  input  logic [AddrBits-1:0] waddr_i,
  input  logic [Width-1:0]    wdata_i,
  input  logic                re_i,
  input  logic [AddrBits-1:0] raddr_i,
  output logic [Width-1:0]    rdata_o   // mem[raddr_i] of the cycle re_i was high
);

  logic [Width-1:0] mem_q [0:Depth-1];
  logic [Width-1:0] rdata_q;

  always_ff @(posedge clk_i) begin
    if (we_i) begin
      mem_q[waddr_i] <= wdata_i;
    end
    if (re_i) begin
      rdata_q <= mem_q[raddr_i];
    end
  end

  assign rdata_o = rdata_q;

endmodule
