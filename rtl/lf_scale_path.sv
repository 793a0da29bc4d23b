// Per-group scale product s = fmul(f32(sw[r][g]), sx[g]) (docs/arithmetic.md),
// computed while the group's dot product is still in the PE pipeline.
// The weight scales of a row are unpacked from the scale FIFO's head word
// (ScalesPerWord per bus word, LSB first, a row starts at a new word):
//
//   bus word: │ ... │ sw[g=2] │ sw[g=1] │ sw[g=0] │   (ScaleBits each)
//
// The activation scale comes from the activation-scale buffer, AxiDataBits/32
// scales per entry. Latency: group's last beat (B0) -> s valid six cycles later
// (B1 reads the activation scale, then the 5-stage fmul).

`include "lf_pkg.sv"

module lf_scale_path #(
  parameter int unsigned ScaleFmt    = lf_pkg::ScaleFp32,
  parameter int unsigned AxiDataBits = 128,
  parameter int unsigned WeightPorts = 1,
  parameter int unsigned GrpBits     = 4,
  parameter int unsigned SclAddrBits = 2,
  localparam int unsigned BusBits    = AxiDataBits * WeightPorts
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // a group ends at this beat (B0)
  input  logic                     grp_valid_i,
  input  logic [GrpBits-1:0]       grp_i,        // group index in the row
  input  logic                     grp_rlast_i,  // last group of the row
  // weight-scale FIFO head
  input  logic                     sw_valid_i,
  input  logic [BusBits-1:0]       sw_word_i,
  output logic                     sw_pop_o,
  // activation-scale buffer read port (registered read)
  output logic                     sx_re_o,
  output logic [SclAddrBits-1:0]   sx_raddr_o,
  input  logic [AxiDataBits-1:0]   sx_rdata_i,
  // scale product
  output logic                     s_valid_o,
  output logic [31:0]              s_o
);

  localparam int unsigned ScaleBits     = (ScaleFmt == lf_pkg::ScaleFp32) ? 32 : 16;
  localparam int unsigned ScalesPerWord = BusBits / ScaleBits;
  localparam int unsigned KBits         = lf_pkg::clog2_min1(ScalesPerWord);
  localparam int unsigned SxPerEntry    = AxiDataBits / 32;
  localparam int unsigned LaneBits      = lf_pkg::clog2_min1(SxPerEntry);

  logic [KBits-1:0]     k_d, k_q;
  logic [ScaleBits-1:0] sw_sel;
  logic                 v1_q;
  logic [ScaleBits-1:0] sw1_q;
  logic [LaneBits-1:0]  lane1_q;
  logic [31:0]          sw_f32, sx;

  always_comb begin
    sw_sel = '0;
    for (int k = 0; k < ScalesPerWord; k++) begin
      if (k_q == KBits'(k)) begin
        sw_sel = sw_word_i[k*ScaleBits +: ScaleBits];
      end
    end
  end

  always_comb begin
    k_d      = k_q;
    sw_pop_o = 1'b0;
    if (grp_valid_i) begin
      if (grp_rlast_i || k_q == KBits'(ScalesPerWord - 1)) begin
        k_d      = '0;
        sw_pop_o = 1'b1;
      end else begin
        k_d = k_q + 1'b1;
      end
    end
  end

  assign sx_re_o    = grp_valid_i;
  assign sx_raddr_o = SclAddrBits'(grp_i >> $clog2(SxPerEntry));

  // B1: activation scale arrives; widen the weight scale and multiply.
  always_comb begin
    sx = '0;
    for (int l = 0; l < SxPerEntry; l++) begin
      if (lane1_q == LaneBits'(l)) begin
        sx = sx_rdata_i[l*32 +: 32];
      end
    end
  end

  lf_scale_cvt #(
    .ScaleFmt(ScaleFmt)
  ) u_cvt (
    .s_i(sw1_q),
    .y_o(sw_f32)
  );

  lf_fp_mul #(
    .SideBits(1)
  ) u_mul (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .a_i   (sw_f32),
    .b_i   (sx),
    .side_i(v1_q),
    .y_o   (s_o),
    .side_o(s_valid_o)
  );

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      k_q  <= '0;
      v1_q <= 1'b0;
    end else begin
      k_q  <= k_d;
      v1_q <= grp_valid_i;
    end
  end

  always_ff @(posedge clk_i) begin
    sw1_q   <= sw_sel;
    lane1_q <= LaneBits'(grp_i);
  end

`ifndef SYNTHESIS
  // pragma translate_off
  // The row's scale words precede its weight words in the stream.
  ScaleAvailable: assert property (@(posedge clk_i) disable iff (!rst_ni) grp_valid_i |-> sw_valid_i)
    else $error("lf_scale_path: group ended before its weight scale arrived");
  // pragma translate_on
`endif

endmodule
