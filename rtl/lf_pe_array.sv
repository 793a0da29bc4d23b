// NumPe signed multipliers, a pipelined adder tree and the group accumulator:
// d = sum over the GroupSize/NumPe beats of a group of sum_i w[i] * a[i],
// exact in WeightBits + ActBits + log2(GroupSize) bits. Fixed latency, no
// stalls; `meta` travels alongside the beat and comes out with its group.
//
//   beat ──► input reg ──► products (reg) ──► tree level 1 .. L (reg every
//   TreeRegEvery levels and at the root) ──► accumulator (reg) ──► d at the
//   group's last beat
//
// The input register keeps the activation buffer's clock-to-out off the
// multiplier path; with the product register after it, a multiplier mapped
// to a DSP48E2 uses its A/B and M/P registers.

`include "lf_pkg.sv"

module lf_pe_array #(
  parameter int unsigned NumPe        = 16,
  parameter int unsigned WeightBits   = 8,
  parameter int unsigned ActBits      = 8,
  parameter int unsigned GroupSize    = 256,
  parameter int unsigned MetaBits     = 4,
  parameter int unsigned TreeRegEvery = 2,
  localparam int unsigned DotBits     = WeightBits + ActBits + $clog2(GroupSize)
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  input  logic                        valid_i,
  input  logic [NumPe*WeightBits-1:0] w_i,
  input  logic [NumPe*ActBits-1:0]    a_i,
  input  logic                        gfirst_i,   // first beat of a group
  input  logic                        glast_i,    // last beat of a group
  input  logic [MetaBits-1:0]         meta_i,
  output logic                        valid_o,    // one per group
  output logic [DotBits-1:0]          d_o,
  output logic [MetaBits-1:0]         meta_o
);

  localparam int unsigned ProdBits = WeightBits + ActBits;
  localparam int unsigned Levels   = $clog2(NumPe);
  localparam int unsigned SumBits  = ProdBits + Levels;

  function automatic bit lvl_reg(int unsigned l);
    lvl_reg = (l == 0) || (l == Levels) || (l % TreeRegEvery == 0);
  endfunction

  function automatic int unsigned regs_upto(int unsigned l);
    int unsigned n;
    n = 0;
    for (int unsigned k = 0; k <= l; k++) begin
      if (lvl_reg(k)) begin
        n = n + 1;
      end
    end
    regs_upto = n;
  endfunction

  localparam int unsigned TreeRegs = regs_upto(Levels);   // pipeline stages to the root
  localparam int unsigned CtlRegs  = TreeRegs + 1;        // plus the input register

  logic [NumPe*WeightBits-1:0] w_q;
  logic [NumPe*ActBits-1:0]    a_q;

  // Loaded only with a valid beat: idle cycles do not toggle the multipliers,
  // and the enable keeps Yosys from folding w_q into the shift-register chain
  // that feeds it (an SRL16E's 0.95 ns clock-to-out in front of a DSP48E2
  // without its A/B registers limited every design to ~320 MHz).
  always_ff @(posedge clk_i) begin
    if (valid_i) begin
      w_q <= w_i;
      a_q <= a_i;
    end
  end

  // Level l has NumPe >> l nodes (node i at bits [i*SumBits +: SumBits]);
  // `v` is the level's value as seen by the next level (registered or not).
  for (genvar l = 0; l <= Levels; l++) begin : gen_lvl
    localparam int unsigned N = NumPe >> l;
    logic [N*SumBits-1:0] d, v;

    if (l == 0) begin : gen_products
      always_comb begin
        for (int i = 0; i < NumPe; i++) begin
          d[i*SumBits +: SumBits] = SumBits'(signed'(w_q[i*WeightBits +: WeightBits])
                                           * signed'(a_q[i*ActBits +: ActBits]));
        end
      end
    end else begin : gen_adders
      always_comb begin
        for (int i = 0; i < N; i++) begin
          d[i*SumBits +: SumBits] = gen_lvl[l-1].v[(2*i)*SumBits +: SumBits]
                                  + gen_lvl[l-1].v[(2*i+1)*SumBits +: SumBits];
        end
      end
    end

    if (lvl_reg(l)) begin : gen_reg
      logic [N*SumBits-1:0] q;
      always_ff @(posedge clk_i) begin
        q <= d;
      end
      assign v = q;
    end else begin : gen_comb
      assign v = d;
    end
  end

  // Control pipeline alongside the input register and the tree:
  // {valid, gfirst, glast, meta}.
  localparam int unsigned CtlBits = 3 + MetaBits;
  logic [CtlRegs*CtlBits-1:0] ctl_d, ctl_q;
  logic [CtlBits-1:0]          ctl_root;

  always_comb begin
    ctl_d = ctl_q << CtlBits;
    ctl_d[CtlBits-1:0] = {valid_i, gfirst_i, glast_i, meta_i};
  end
  assign ctl_root = ctl_q[(CtlRegs-1)*CtlBits +: CtlBits];

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      ctl_q <= '0;
    end else begin
      ctl_q <= ctl_d;
    end
  end

  // Group accumulator.
  logic [SumBits-1:0]  root;
  logic                r_valid, r_gfirst, r_glast;
  logic [MetaBits-1:0] r_meta;
  logic [DotBits-1:0]  acc_d, acc_q, sum;
  logic                out_valid_d, out_valid_q;
  logic [DotBits-1:0]  out_d_d, out_d_q;
  logic [MetaBits-1:0] out_meta_d, out_meta_q;

  assign root = gen_lvl[Levels].v;
  assign {r_valid, r_gfirst, r_glast, r_meta} = ctl_root;
  assign sum  = (r_gfirst ? '0 : acc_q) + DotBits'(signed'(root));

  always_comb begin
    acc_d       = acc_q;
    out_valid_d = r_valid && r_glast;
    out_d_d     = out_d_q;
    out_meta_d  = out_meta_q;
    if (r_valid) begin
      acc_d = sum;
      if (r_glast) begin
        out_d_d    = sum;
        out_meta_d = r_meta;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      out_valid_q <= 1'b0;
    end else begin
      out_valid_q <= out_valid_d;
    end
  end

  always_ff @(posedge clk_i) begin
    acc_q      <= acc_d;
    out_d_q    <= out_d_d;
    out_meta_q <= out_meta_d;
  end

  assign valid_o = out_valid_q;
  assign d_o     = out_d_q;
  assign meta_o  = out_meta_q;

  if (!lf_pkg::is_pow2(NumPe) || NumPe > GroupSize) begin : gen_param_check
    $fatal(1, "lf_pe_array: NumPe must be a power of two <= GroupSize");
  end

endmodule
