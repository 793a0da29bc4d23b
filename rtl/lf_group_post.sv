// Float part of a row (docs/arithmetic.md): per group p = fmul(i2f(d), s),
// acc = fadd(acc, p) starting from +0, y[r] = acc after the row's last group.
//
//   P0: d ──► i2f ──► P1: fmul with s (from the scale FIFO) ──► P2: fadd loop ──► result
//
// The accumulation is a single-cycle fadd loop, so a group may arrive every
// cycle (GroupSize == NumPe). The scale products are computed ahead of the
// dot products and wait in a small FIFO.

`include "lf_pkg.sv"

module lf_group_post #(
  parameter int unsigned DotBits  = 24,
  parameter int unsigned SFifoDepth = 16
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // group dot products
  input  logic               d_valid_i,
  input  logic [DotBits-1:0] d_i,
  input  logic               d_rfirst_i,   // first group of the row
  input  logic               d_rlast_i,    // last group of the row
  // scale products, in group order
  input  logic               s_valid_i,
  input  logic [31:0]        s_i,
  // results
  output logic               y_valid_o,
  output logic [31:0]        y_o
);

  logic        s_head_valid;
  logic [31:0] s_head;
  logic [31:0] f_d, m_d, acc_in, sum;

  logic        v1_q, rf1_q, rl1_q;
  logic [31:0] f1_q;
  logic        v2_q, rf2_q, rl2_q;
  logic [31:0] m2_q;
  logic [31:0] acc_d, acc_q;
  logic        yv_d, yv_q;
  logic [31:0] y_d, y_q;

  lf_fifo #(
    .Width(32),
    .Depth(SFifoDepth)
  ) u_s_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (s_valid_i),
    .wdata_i(s_i),
    .pop_i  (v1_q),
    .valid_o(s_head_valid),
    .rdata_o(s_head),
    .full_o (),
    .count_o()
  );

  lf_fp_i2f #(
    .InBits(DotBits)
  ) u_i2f (
    .d_i(d_i),
    .y_o(f_d)
  );

  lf_fp_mul u_mul (
    .a_i(f1_q),
    .b_i(s_head),
    .y_o(m_d)
  );

  assign acc_in = rf2_q ? 32'd0 : acc_q;

  lf_fp_add u_add (
    .a_i(acc_in),
    .b_i(m2_q),
    .y_o(sum)
  );

  always_comb begin
    acc_d = acc_q;
    yv_d  = v2_q && rl2_q;
    y_d   = y_q;
    if (v2_q) begin
      acc_d = sum;
      if (rl2_q) begin
        y_d = sum;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      v1_q <= 1'b0;
      v2_q <= 1'b0;
      yv_q <= 1'b0;
    end else begin
      v1_q <= d_valid_i;
      v2_q <= v1_q;
      yv_q <= yv_d;
    end
  end

  always_ff @(posedge clk_i) begin
    f1_q  <= f_d;
    rf1_q <= d_rfirst_i;
    rl1_q <= d_rlast_i;
    m2_q  <= m_d;
    rf2_q <= rf1_q;
    rl2_q <= rl1_q;
    acc_q <= acc_d;
    y_q   <= y_d;
  end

  assign y_valid_o = yv_q;
  assign y_o       = y_q;

`ifndef SYNTHESIS
  // pragma translate_off
  ScaleReady: assert property (@(posedge clk_i) disable iff (!rst_ni) v1_q |-> s_head_valid)
    else $error("lf_group_post: dot product arrived before its scale product");
  ScaleFifoRoom: assert property (@(posedge clk_i) disable iff (!rst_ni)
      s_valid_i |-> !(u_s_fifo.full_o && !v1_q))
    else $error("lf_group_post: scale FIFO overflow");
  // pragma translate_on
`endif

endmodule
