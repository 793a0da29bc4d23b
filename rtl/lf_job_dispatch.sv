// Takes jobs from the queue, derives the image geometry and hands the job to
// every stage: range commands to the AXI readers (port 0: activation image,
// then its share of the weight image; other ports: their weight share) and a
// job descriptor to the parser, the beat generator, the activation loader and
// the result writer. It takes the next job as soon as every reader has
// accepted its ranges, so the weights of job n+1 are fetched while job n
// computes.
//
// Geometry (docs/arithmetic.md), BUS = AxiDataBits * WeightPorts:
//   ngroups = cols / GroupSize
//   SW  = ceil(ngroups * ScaleBits / BUS)   scale words per row
//   WW  = ceil(cols / WPW), WPW = BUS / WeightBits
//   RW  = SW + WW,  port words = rows * RW
//   port p base = w_addr + p * rows * RW * AxiBytes
//   x words = ceil(cols / ActsPerAxiWord) + ceil(ngroups * 32 / AxiDataBits)
// WPW and scales-per-word are 2^k * WeightPorts; the division by a
// WeightPorts that is not a power of two is a multiply by a reciprocal.

`include "lf_pkg.sv"

module lf_job_dispatch #(
  parameter int unsigned WeightBits   = 8,
  parameter int unsigned ActBits      = 8,
  parameter int unsigned GroupSize    = 256,
  parameter int unsigned ScaleFmt     = lf_pkg::ScaleFp32,
  parameter int unsigned AxiDataBits  = 128,
  parameter int unsigned AxiAddrBits  = 40,
  parameter int unsigned WeightPorts  = 1,
  parameter int unsigned ActBufCols   = 2048,
  localparam int unsigned ColBits     = $clog2(ActBufCols + 1),
  localparam int unsigned RowBits     = lf_pkg::ROW_BITS,
  localparam int unsigned JobBits     = RowBits + ColBits + 3 * AxiAddrBits,
  localparam int unsigned AxiBytes    = AxiDataBits / 8,
  localparam int unsigned WordsBits   = AxiAddrBits - $clog2(AxiBytes) + 1,
  localparam int unsigned P           = WeightPorts
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // job queue
  input  logic                     job_valid_i,
  input  logic [JobBits-1:0]       job_i,
  output logic                     job_pop_o,
  // descriptor FIFOs of the stages ({rows, cols}; writer: {y_addr, rows})
  input  logic                     desc_space_i,   // all four have room
  output logic                     desc_push_o,
  output logic [RowBits-1:0]       desc_rows_o,
  output logic [ColBits-1:0]       desc_cols_o,
  output logic [AxiAddrBits-1:0]   desc_y_addr_o,
  // reader range commands, port p at [p*...]
  output logic [P-1:0]             cmd_valid_o,
  input  logic [P-1:0]             cmd_ready_i,
  output logic [P*AxiAddrBits-1:0] cmd_addr_o,
  output logic [P*WordsBits-1:0]   cmd_words_o,
  output logic [P-1:0]             cmd_tag_o       // 1: activation image
);

  localparam int unsigned ScaleBits   = (ScaleFmt == lf_pkg::ScaleFp32) ? 32 : 16;
  localparam int unsigned ActContBits = (ActBits <= 8) ? 8 : 16;
  // Per-port powers of two: BUS items per word = (AxiDataBits / item) * P.
  localparam int unsigned WgtShift    = $clog2(AxiDataBits / WeightBits);
  localparam int unsigned SclShift    = $clog2(AxiDataBits / ScaleBits);
  localparam int unsigned ActShift    = $clog2(AxiDataBits / ActContBits);
  localparam int unsigned XSclShift   = $clog2(AxiDataBits / 32);
  localparam int unsigned GrpShift    = $clog2(GroupSize);
  // ceil(x / P) = ((x + P - 1) * DivM) >> DivS for x + P - 1 < 2^(ColBits+1).
  localparam int unsigned DivS        = ColBits + 4;
  localparam int unsigned DivM        = ((1 << DivS) + P - 1) / P;
  localparam int unsigned RwBits      = ColBits + 1;
  localparam int unsigned SetupCycles = 4;

  typedef enum logic [1:0] {
    StIdle,
    StSetup,
    StCmd
  } state_e;

  state_e                 state_d, state_q;
  logic [JobBits-1:0]     job_d, job_q;
  logic [2:0]             setup_cnt_d, setup_cnt_q;
  logic                   x_sent_d, x_sent_q;   // port 0's activation range
  logic [P-1:0]           w_sent_d, w_sent_q;   // each port's weight range

  logic [RowBits-1:0]     rows;
  logic [ColBits-1:0]     cols;
  logic [AxiAddrBits-1:0] w_addr, x_addr;
  logic [AxiAddrBits-1:0] unused_y_addr;   // the writer gets y_addr from the descriptor

  // Registered geometry chain (settles in SetupCycles cycles after a job is taken).
  logic [ColBits-1:0]     ngroups;
  logic [ColBits:0]       t_sw, t_ww, t_xa, t_xs;
  logic [RwBits-1:0]      sw_d, sw_q, ww_d, ww_q;
  logic [RwBits-1:0]      rw_d, rw_q;
  logic [WordsBits-1:0]   x_words_d, x_words_q;
  logic [WordsBits-1:0]   port_words_d, port_words_q;
  logic [AxiAddrBits-1:0] port_bytes;

  assign {unused_y_addr, x_addr, w_addr, cols, rows} = job_q;

  function automatic logic [RwBits-1:0] ceil_div_p(logic [ColBits:0] x);
    logic [ColBits+1:0]      xp;
    logic [2*ColBits+6:0]    prod;
    if (lf_pkg::is_pow2(P)) begin
      ceil_div_p = RwBits'((x + (ColBits + 1)'(P - 1)) >> $clog2(P));
    end else begin
      xp   = (ColBits + 2)'(x) + (ColBits + 2)'(P - 1);
      prod = (2 * ColBits + 7)'(xp) * (2 * ColBits + 7)'(DivM);
      ceil_div_p = RwBits'(prod >> DivS);
    end
  endfunction

  always_comb begin
    ngroups      = cols >> GrpShift;
    t_sw         = ((ColBits + 1)'(ngroups) + (ColBits + 1)'((1 << SclShift) - 1)) >> SclShift;
    t_ww         = ((ColBits + 1)'(cols) + (ColBits + 1)'((1 << WgtShift) - 1)) >> WgtShift;
    sw_d         = ceil_div_p(t_sw);
    ww_d         = ceil_div_p(t_ww);
    rw_d         = sw_q + ww_q;
    t_xa         = ((ColBits + 1)'(cols) + (ColBits + 1)'((1 << ActShift) - 1)) >> ActShift;
    t_xs         = ((ColBits + 1)'(ngroups) + (ColBits + 1)'((1 << XSclShift) - 1)) >> XSclShift;
    x_words_d    = WordsBits'(t_xa) + WordsBits'(t_xs);
    port_words_d = WordsBits'(rows) * WordsBits'(rw_q);
  end

  assign port_bytes = AxiAddrBits'(port_words_q) << $clog2(AxiBytes);

  // ---------------------------------------------------------------------------
  // Control
  // ---------------------------------------------------------------------------
  always_comb begin
    state_d     = state_q;
    job_d       = job_q;
    setup_cnt_d = setup_cnt_q;
    x_sent_d    = x_sent_q;
    w_sent_d    = w_sent_q;
    job_pop_o   = 1'b0;
    desc_push_o = 1'b0;

    unique case (state_q)
      StIdle: begin
        if (job_valid_i && desc_space_i) begin
          job_pop_o   = 1'b1;
          desc_push_o = 1'b1;
          job_d       = job_i;
          setup_cnt_d = '0;
          state_d     = StSetup;
        end
      end
      StSetup: begin
        setup_cnt_d = setup_cnt_q + 1'b1;
        if (setup_cnt_q == 3'(SetupCycles - 1)) begin
          x_sent_d = 1'b0;
          w_sent_d = '0;
          state_d  = StCmd;
        end
      end
      StCmd: begin
        if (cmd_valid_o[0] && cmd_ready_i[0] && !x_sent_q) begin
          x_sent_d = 1'b1;
        end
        for (int p = 0; p < P; p++) begin
          if (cmd_valid_o[p] && cmd_ready_i[p] && (p != 0 || x_sent_q)) begin
            w_sent_d[p] = 1'b1;
          end
        end
        if (&w_sent_d) begin
          state_d = StIdle;
        end
      end
      default: state_d = StIdle;
    endcase
  end

  // Descriptor fields come straight from the queue head when it is popped.
  assign desc_rows_o   = job_i[RowBits-1:0];
  assign desc_cols_o   = job_i[RowBits +: ColBits];
  assign desc_y_addr_o = job_i[JobBits-1 -: AxiAddrBits];

  always_comb begin
    for (int p = 0; p < P; p++) begin
      cmd_valid_o[p] = (state_q == StCmd) && !w_sent_q[p];
      cmd_addr_o[p*AxiAddrBits +: AxiAddrBits] = w_addr + AxiAddrBits'(p) * port_bytes;
      cmd_words_o[p*WordsBits +: WordsBits]    = port_words_q;
      cmd_tag_o[p] = 1'b0;
    end
    if (!x_sent_q) begin
      cmd_addr_o[0 +: AxiAddrBits] = x_addr;
      cmd_words_o[0 +: WordsBits]  = x_words_q;
      cmd_tag_o[0]                 = 1'b1;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q      <= StIdle;
      job_q        <= '0;
      setup_cnt_q  <= '0;
      x_sent_q     <= 1'b0;
      w_sent_q     <= '0;
      sw_q         <= '0;
      ww_q         <= '0;
      rw_q         <= '0;
      x_words_q    <= '0;
      port_words_q <= '0;
    end else begin
      state_q      <= state_d;
      job_q        <= job_d;
      setup_cnt_q  <= setup_cnt_d;
      x_sent_q     <= x_sent_d;
      w_sent_q     <= w_sent_d;
      sw_q         <= sw_d;
      ww_q         <= ww_d;
      rw_q         <= rw_d;
      x_words_q    <= x_words_d;
      port_words_q <= port_words_d;
    end
  end

  if (ColBits + 4 > 30) begin : gen_col_check
    $fatal(1, "lf_job_dispatch: ActBufCols too large for the reciprocal divider");
  end

endmodule
