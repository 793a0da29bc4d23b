// One-entry register slice behind a FWFT FIFO head: the consumer sees the
// head from a flop instead of the FIFO's storage (a LUTRAM read is ~1 ns on
// UltraScale+), at full throughput (a new head is loaded in the cycle the
// old one is popped). Adds one cycle from FIFO push to valid_o.

module lf_reg_slice #(
  parameter int unsigned Width = 32
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  // FIFO head
  input  logic             in_valid_i,
  input  logic [Width-1:0] in_data_i,
  output logic             in_pop_o,
  // registered head
  output logic             valid_o,
  output logic [Width-1:0] data_o,
  input  logic             pop_i
);

  logic             valid_d, valid_q;
  logic [Width-1:0] data_d, data_q;

  assign in_pop_o = in_valid_i && (!valid_q || pop_i);

  always_comb begin
    valid_d = valid_q;
    data_d  = data_q;
    if (in_pop_o) begin
      valid_d = 1'b1;
      data_d  = in_data_i;
    end else if (pop_i) begin
      valid_d = 1'b0;
    end
  end

  assign valid_o = valid_q;
  assign data_o  = data_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      valid_q <= 1'b0;
    end else begin
      valid_q <= valid_d;
    end
  end

  always_ff @(posedge clk_i) begin
    data_q <= data_d;
  end

`ifndef SYNTHESIS
  // pragma translate_off
  PopWhenEmpty: assert property (@(posedge clk_i) disable iff (!rst_ni) !(pop_i && !valid_q))
    else $error("lf_reg_slice: pop when empty");
  // pragma translate_on
`endif

endmodule
