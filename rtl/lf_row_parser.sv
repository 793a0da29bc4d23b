// Recombines one AXI word from each weight port into a bus word and splits the
// weight stream of each job into its rows: the row's scale words go to the
// scale FIFO, its weight words to the weight-word FIFO (docs/arithmetic.md):
//
//   bus word j = {port P-1 word j, ..., port 1 word j, port 0 word j}
//   row r: SW scale words, then WW weight words; row r+1 starts at a new word
//
// Port 0 also carries the activation image of each job (tag 1), read in
// front of that job's weights; those words are routed to the activation
// loader instead.

`include "lf_pkg.sv"

module lf_row_parser #(
  parameter int unsigned WeightBits  = 8,
  parameter int unsigned GroupSize   = 256,
  parameter int unsigned ScaleFmt    = lf_pkg::ScaleFp32,
  parameter int unsigned AxiDataBits = 128,
  parameter int unsigned WeightPorts = 1,
  parameter int unsigned ActBufCols  = 2048,
  localparam int unsigned P          = WeightPorts,
  localparam int unsigned BusBits    = AxiDataBits * WeightPorts,
  localparam int unsigned ColBits    = $clog2(ActBufCols + 1),
  localparam int unsigned RowBits    = lf_pkg::ROW_BITS
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  // job descriptor
  input  logic                   desc_valid_i,
  input  logic [RowBits-1:0]     desc_rows_i,
  input  logic [ColBits-1:0]     desc_cols_i,
  output logic                   desc_pop_o,
  // port FIFO heads
  input  logic [P-1:0]           port_valid_i,
  input  logic [P*AxiDataBits-1:0] port_data_i,
  input  logic                   port0_tag_i,     // 1: activation image word
  output logic [P-1:0]           port_pop_o,
  // activation image words
  output logic                   x_valid_o,
  output logic [AxiDataBits-1:0] x_data_o,
  input  logic                   x_ready_i,
  // scale words
  output logic                   scale_push_o,
  input  logic                   scale_full_i,
  // weight words
  output logic                   wgt_push_o,
  input  logic                   wgt_full_i,
  output logic [BusBits-1:0]     bus_word_o
);

  localparam int unsigned ScaleBits   = (ScaleFmt == lf_pkg::ScaleFp32) ? 32 : 16;
  localparam int unsigned ScalesPerWord = BusBits / ScaleBits;
  localparam int unsigned WgtPerWord  = BusBits / WeightBits;
  localparam int unsigned CntBits     = ColBits + 1 + $clog2(WgtPerWord + 1);

  logic                 in_job_d, in_job_q;
  logic                 in_scales_d, in_scales_q;   // else in the weight words
  logic [RowBits-1:0]   rows_left_d, rows_left_q;
  // Items (scales or weights) of the current section not yet taken, and
  // whether the next word is the section's last. The flag is computed a
  // cycle ahead from left_d, so the pop of the descriptor FIFO hangs off a
  // register instead of an add-then-compare (the ~3 ns path that limited
  // `large` to 328 MHz).
  logic [CntBits-1:0]   left_d, left_q;
  logic                 last_d, last_q;
  logic [ColBits-1:0]   ngroups;
  logic                 bus_valid, bus_fire;

  assign ngroups = desc_cols_i >> $clog2(GroupSize);

  // Activation words wait at port 0's head until the loader takes them.
  assign x_valid_o = port_valid_i[0] && port0_tag_i;
  assign x_data_o  = port_data_i[0 +: AxiDataBits];

  assign bus_valid  = (&port_valid_i) && !port0_tag_i && in_job_q;
  assign bus_word_o = port_data_i;

  assign scale_push_o = bus_valid && in_scales_q && !scale_full_i;
  assign wgt_push_o   = bus_valid && !in_scales_q && !wgt_full_i;
  assign bus_fire     = scale_push_o || wgt_push_o;

  always_comb begin
    port_pop_o = bus_fire ? '1 : '0;
    if (x_valid_o && x_ready_i) begin
      port_pop_o[0] = 1'b1;
    end
  end

  always_comb begin
    in_job_d    = in_job_q;
    in_scales_d = in_scales_q;
    rows_left_d = rows_left_q;
    left_d      = left_q;
    desc_pop_o  = 1'b0;
    if (!in_job_q) begin
      if (desc_valid_i) begin
        in_job_d    = 1'b1;
        in_scales_d = 1'b1;
        rows_left_d = desc_rows_i;
        left_d      = CntBits'(ngroups);
      end
    end else if (bus_fire) begin
      left_d = left_q - (in_scales_q ? CntBits'(ScalesPerWord) : CntBits'(WgtPerWord));
      if (last_q) begin
        in_scales_d = !in_scales_q;
        left_d      = in_scales_q ? CntBits'(desc_cols_i) : CntBits'(ngroups);
        if (!in_scales_q) begin
          rows_left_d = rows_left_q - 1'b1;
          if (rows_left_q == RowBits'(1)) begin
            in_job_d   = 1'b0;
            desc_pop_o = 1'b1;
          end
        end
      end
    end
    last_d = (left_d <= (in_scales_d ? CntBits'(ScalesPerWord) : CntBits'(WgtPerWord)));
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      in_job_q    <= 1'b0;
      in_scales_q <= 1'b1;
      rows_left_q <= '0;
      left_q      <= '0;
      last_q      <= 1'b0;
    end else begin
      in_job_q    <= in_job_d;
      in_scales_q <= in_scales_d;
      rows_left_q <= rows_left_d;
      left_q      <= left_d;
      last_q      <= last_d;
    end
  end

`ifndef SYNTHESIS
  // pragma translate_off
  // The descriptor of the job being parsed stays at the FIFO head.
  DescHeld: assert property (@(posedge clk_i) disable iff (!rst_ni) in_job_q |-> desc_valid_i)
    else $error("lf_row_parser: descriptor lost during a job");
  // pragma translate_on
`endif

endmodule
