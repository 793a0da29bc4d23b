// Float part of a row (docs/arithmetic.md): per group p = fmul(i2f(d), s);
// y[r] = the exact sum of the row's p, rounded once (lf_row_acc).
//
//   d ──► i2f (5 stages) ──► fmul with s from the scale FIFO (5 stages) ──►
//         row sum (A1..A3, ripple, magnitude, normalize, round) ──► y
//
// Fixed latency, no stalls, one group per cycle and rows back to back. The
// scale products are computed ahead of the dot products (lf_scale_path) and
// wait in a small FIFO; the i2f output pops its scale.

`include "lf_pkg.sv"

module lf_group_post #(
  parameter int unsigned DotBits    = 24,
  parameter int unsigned MaxGroups  = 64,   // most groups in a row
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
  logic [31:0] f, p;
  logic        f_valid, f_rfirst, f_rlast;
  logic        p_valid, p_rfirst, p_rlast;

  lf_fifo #(
    .Width(32),
    .Depth(SFifoDepth)
  ) u_s_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (s_valid_i),
    .wdata_i(s_i),
    .pop_i  (f_valid),
    .valid_o(s_head_valid),
    .rdata_o(s_head),
    .full_o (),
    .count_o()
  );

  lf_fp_i2f #(
    .InBits  (DotBits),
    .SideBits(3)
  ) u_i2f (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .d_i   (d_i),
    .side_i({d_valid_i, d_rfirst_i, d_rlast_i}),
    .y_o   (f),
    .side_o({f_valid, f_rfirst, f_rlast})
  );

  lf_fp_mul #(
    .SideBits(3)
  ) u_mul (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .a_i   (f),
    .b_i   (s_head),
    .side_i({f_valid, f_rfirst, f_rlast}),
    .y_o   (p),
    .side_o({p_valid, p_rfirst, p_rlast})
  );

  lf_row_acc #(
    .MaxTerms(MaxGroups)
  ) u_row_acc (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .t_valid_i(p_valid),
    .t_i      (p),
    .t_first_i(p_rfirst),
    .t_last_i (p_rlast),
    .y_valid_o(y_valid_o),
    .y_o      (y_o)
  );

`ifndef SYNTHESIS
  // pragma translate_off
  ScaleReady: assert property (@(posedge clk_i) disable iff (!rst_ni) f_valid |-> s_head_valid)
    else $error("lf_group_post: dot product arrived before its scale product");
  ScaleFifoRoom: assert property (@(posedge clk_i) disable iff (!rst_ni)
      s_valid_i |-> !(u_s_fifo.full_o && !f_valid))
    else $error("lf_group_post: scale FIFO overflow");
  // pragma translate_on
`endif

endmodule
