// Leading-zero count of a Width-bit vector as a balanced tree (log2 depth of
// 2:1 selects, a few LUT levels), not a priority chain. cnt_o is Width when
// the input is zero (zero_o).
//
//   level 0: one node per bit, {zero, count = 0}
//   level l: node = {hi.zero && lo.zero, hi.zero ? {1, lo.count} : {0, hi.count}}

`include "lf_pkg.sv"

module lf_lzc #(
  parameter int unsigned Width = 32,
  localparam int unsigned CntBits = $clog2(Width + 1)
) (
  input  logic [Width-1:0]   x_i,
  output logic [CntBits-1:0] cnt_o,
  output logic               zero_o
);

  // Pad at the bottom with ones to a power of two: the count of a nonzero
  // input is unchanged, a zero input counts Width.
  localparam int unsigned Levels = lf_pkg::clog2_min1(Width);
  localparam int unsigned PadW   = 1 << Levels;

  logic [PadW-1:0] x;

  if (PadW > Width) begin : gen_pad
    assign x = {x_i, {(PadW - Width){1'b1}}};
  end else begin : gen_nopad
    assign x = x_i;
  end

  // Level l has PadW >> l nodes; node i covers bits [i*2^l +: 2^l] and its
  // count has l bits (at [i*Levels +: l] of `cnt`).
  for (genvar l = 0; l <= Levels; l++) begin : gen_lvl
    localparam int unsigned N = PadW >> l;
    logic [N-1:0]        z;
    logic [N*Levels-1:0] cnt;

    if (l == 0) begin : gen_leaf
      assign z   = ~x;
      assign cnt = '0;
    end else begin : gen_node
      always_comb begin
        cnt = '0;
        for (int i = 0; i < N; i++) begin
          z[i] = gen_lvl[l-1].z[2*i+1] && gen_lvl[l-1].z[2*i];
          if (gen_lvl[l-1].z[2*i+1]) begin
            cnt[i*Levels +: Levels] = gen_lvl[l-1].cnt[(2*i)*Levels +: Levels] | Levels'(1 << (l - 1));
          end else begin
            cnt[i*Levels +: Levels] = Levels'(gen_lvl[l-1].cnt[(2*i+1)*Levels +: Levels]);
          end
        end
      end
    end
  end

  logic              root_zero;
  logic [Levels-1:0] root_cnt;
  assign root_zero = gen_lvl[Levels].z[0];
  assign root_cnt  = gen_lvl[Levels].cnt[Levels-1:0];

  // A zero input: the tree count is meaningless when PadW == Width.
  always_comb begin
    zero_o = (x_i == '0);
    cnt_o  = zero_o ? CntBits'(Width) : CntBits'(root_cnt);
  end

  logic unused_root_zero;
  assign unused_root_zero = root_zero;

endmodule
