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
//   port p base = w_addr + p * rows * RW * AxiBytes   (LAYOUT 0: regions)
//   port p base = w_addr + p * 2^k, stride P * 2^k     (LAYOUT k: chunks of
//                 2^k bytes, port p reads chunks p, p + P, ...; the reader
//                 jumps by the stride at the end of each chunk)
//   x words = ceil(cols / ActsPerAxiWord) + ceil(ngroups * 32 / AxiDataBits)
// WPW and scales-per-word are 2^k * WeightPorts. The setup is a short
// sequence of single-adder steps, so that no multiplier or long carry chain
// is in one clock cycle: the divisions by a WeightPorts that is not a power
// of two are bit-serial (one quotient bit per cycle), rows * RW is a
// shift-and-add (one RW bit per cycle), and the port bases are a running sum
// (one port per cycle). That is at most ~40 cycles per job, taken while the
// previous job computes (the next job is taken as soon as the readers hold
// this one's ranges).

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
  localparam int unsigned LayoutBits  = lf_pkg::LAYOUT_BITS,
  localparam int unsigned JobBits     = LayoutBits + RowBits + ColBits + 3 * AxiAddrBits,
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
  output logic [P-1:0]             cmd_tag_o,      // 1: activation image
  // weight ranges of an interleaved layout (all ports alike): the chunk's
  // log2 bytes and the jump from one of a port's chunks to its next, P * 2^k
  // bytes; 0 for one contiguous region per port
  output logic [LayoutBits-1:0]    cmd_chunk_log2_o,
  output logic [AxiAddrBits-1:0]   cmd_stride_o
);

  localparam int unsigned ScaleBits   = (ScaleFmt == lf_pkg::ScaleFp32) ? 32 : 16;
  localparam int unsigned ActContBits = (ActBits <= 8) ? 8 : 16;
  // Per-port powers of two: BUS items per word = (AxiDataBits / item) * P.
  localparam int unsigned WgtShift    = $clog2(AxiDataBits / WeightBits);
  localparam int unsigned SclShift    = $clog2(AxiDataBits / ScaleBits);
  localparam int unsigned ActShift    = $clog2(AxiDataBits / ActContBits);
  localparam int unsigned XSclShift   = $clog2(AxiDataBits / 32);
  localparam int unsigned GrpShift    = $clog2(GroupSize);
  localparam int unsigned AxiShift    = $clog2(AxiBytes);
  localparam bit          PortsPow2   = lf_pkg::is_pow2(P);
  // Bit-serial ceil(x / P): numerator x + P - 1 of NumBits bits, remainder
  // below 2P.
  localparam int unsigned NumBits     = ColBits + 2;
  localparam int unsigned RemBits     = $clog2(2 * P + 1);
  localparam int unsigned RwBits      = ColBits + 1;
  localparam int unsigned StepBits    = $clog2(lf_pkg::max_u(NumBits, lf_pkg::max_u(RwBits, P)) + 1);

  typedef enum logic [2:0] {
    StIdle,
    StGeom,    // ngroups, per-port counts before the division by P, x words
    StDiv,     // sw, ww = ceil(. / P), one quotient bit per cycle
    StRw,      // rw = sw + ww
    StMul,     // port words = rows * rw, one rw bit per cycle
    StBase,    // port bases, one port per cycle
    StCmd
  } state_e;

  state_e                 state_d, state_q;
  logic [JobBits-1:0]     job_d, job_q;
  logic [StepBits-1:0]    step_d, step_q;
  logic                   x_sent_d, x_sent_q;   // port 0's activation range
  logic [P-1:0]           w_sent_d, w_sent_q;   // each port's weight range

  logic [RowBits-1:0]     rows;
  logic [ColBits-1:0]     cols;
  logic [AxiAddrBits-1:0] w_addr, x_addr;
  logic [AxiAddrBits-1:0] unused_y_addr;   // the writer gets y_addr from the descriptor
  logic [LayoutBits-1:0]  layout;          // 0: regions; k: chunks of 2^k bytes

  logic [ColBits-1:0]     ngroups;
  logic [ColBits:0]       t_sw, t_ww, t_xa, t_xs;
  logic [NumBits-1:0]     num_sw_d, num_sw_q, num_ww_d, num_ww_q;   // dividends, shifted out MSB first
  logic [RemBits-1:0]     rem_sw_d, rem_sw_q, rem_ww_d, rem_ww_q;
  logic [RwBits-1:0]      sw_d, sw_q, ww_d, ww_q;                   // quotients, shifted in LSB
  logic [RwBits-1:0]      rw_d, rw_q;                               // shifted out LSB first
  logic [WordsBits-1:0]   mcand_d, mcand_q;                         // rows << i
  logic [WordsBits-1:0]   x_words_d, x_words_q;
  logic [WordsBits-1:0]   port_words_d, port_words_q;
  logic [AxiAddrBits-1:0] base_d [P];
  logic [AxiAddrBits-1:0] base_q [P];
  logic [AxiAddrBits-1:0] port_bytes;
  logic [AxiAddrBits-1:0] chunk_bytes_d, chunk_bytes_q;   // 2^k (interleaved)
  logic [AxiAddrBits-1:0] stride_d, stride_q;             // P * 2^k, 0: regions
  logic [AxiAddrBits-1:0] base_step;

  assign {layout, unused_y_addr, x_addr, w_addr, cols, rows} = job_q;

  always_comb begin
    ngroups = cols >> GrpShift;
    t_sw    = ((ColBits + 1)'(ngroups) + (ColBits + 1)'((1 << SclShift) - 1)) >> SclShift;
    t_ww    = ((ColBits + 1)'(cols) + (ColBits + 1)'((1 << WgtShift) - 1)) >> WgtShift;
    t_xa    = ((ColBits + 1)'(cols) + (ColBits + 1)'((1 << ActShift) - 1)) >> ActShift;
    t_xs    = ((ColBits + 1)'(ngroups) + (ColBits + 1)'((1 << XSclShift) - 1)) >> XSclShift;
  end

  // One restoring-division step: shift in the dividend's next bit, subtract
  // P when it fits.
  // The remainder is below P, so its top bit is always 0 and not passed in.
  function automatic logic [RemBits:0] div_step(logic [RemBits-2:0] rem, logic bit_in);
    logic [RemBits-1:0] r;
    r = {rem, bit_in};
    if (r >= RemBits'(P)) begin
      div_step = {r - RemBits'(P), 1'b1};
    end else begin
      div_step = {r, 1'b0};
    end
  endfunction

  assign port_bytes = AxiAddrBits'(port_words_q) << AxiShift;
  assign base_step  = (layout != '0) ? chunk_bytes_q : port_bytes;

  // ---------------------------------------------------------------------------
  // Control
  // ---------------------------------------------------------------------------
  always_comb begin
    state_d      = state_q;
    job_d        = job_q;
    step_d       = step_q;
    x_sent_d     = x_sent_q;
    w_sent_d     = w_sent_q;
    num_sw_d     = num_sw_q;
    num_ww_d     = num_ww_q;
    rem_sw_d     = rem_sw_q;
    rem_ww_d     = rem_ww_q;
    sw_d         = sw_q;
    ww_d         = ww_q;
    rw_d         = rw_q;
    mcand_d      = mcand_q;
    x_words_d    = x_words_q;
    port_words_d = port_words_q;
    chunk_bytes_d = chunk_bytes_q;
    stride_d     = stride_q;
    for (int p = 0; p < P; p++) begin
      base_d[p] = base_q[p];
    end
    job_pop_o   = 1'b0;
    desc_push_o = 1'b0;

    unique case (state_q)
      StIdle: begin
        if (job_valid_i && desc_space_i) begin
          job_pop_o   = 1'b1;
          desc_push_o = 1'b1;
          job_d       = job_i;
          state_d     = StGeom;
        end
      end
      StGeom: begin
        x_words_d = WordsBits'(t_xa) + WordsBits'(t_xs);
        chunk_bytes_d = AxiAddrBits'(1) << layout;
        stride_d      = '0;
        if (layout != '0) begin
          stride_d = AxiAddrBits'(P) << layout;
        end
        if (PortsPow2) begin
          sw_d    = RwBits'(((ColBits + 2)'(t_sw) + (ColBits + 2)'(P - 1)) >> $clog2(P));
          ww_d    = RwBits'(((ColBits + 2)'(t_ww) + (ColBits + 2)'(P - 1)) >> $clog2(P));
          state_d = StRw;
        end else begin
          num_sw_d = NumBits'(t_sw) + NumBits'(P - 1);
          num_ww_d = NumBits'(t_ww) + NumBits'(P - 1);
          rem_sw_d = '0;
          rem_ww_d = '0;
          sw_d     = '0;
          ww_d     = '0;
          step_d   = '0;
          state_d  = StDiv;
        end
      end
      StDiv: begin
        {rem_sw_d, sw_d[0]} = div_step(rem_sw_q[RemBits-2:0], num_sw_q[NumBits-1]);
        {rem_ww_d, ww_d[0]} = div_step(rem_ww_q[RemBits-2:0], num_ww_q[NumBits-1]);
        sw_d[RwBits-1:1] = sw_q[RwBits-2:0];
        ww_d[RwBits-1:1] = ww_q[RwBits-2:0];
        num_sw_d = num_sw_q << 1;
        num_ww_d = num_ww_q << 1;
        step_d   = step_q + 1'b1;
        if (step_q == StepBits'(NumBits - 1)) begin
          state_d = StRw;
        end
      end
      StRw: begin
        rw_d         = sw_q + ww_q;
        mcand_d      = WordsBits'(rows);
        port_words_d = '0;
        state_d      = StMul;
      end
      StMul: begin
        if (rw_q[0]) begin
          port_words_d = port_words_q + mcand_q;
        end
        mcand_d = mcand_q << 1;
        rw_d    = rw_q >> 1;
        step_d  = StepBits'(1);
        base_d[0] = w_addr;
        if (rw_q == '0) begin
          state_d = (P == 1) ? StCmd : StBase;
          x_sent_d = 1'b0;
          w_sent_d = '0;
        end
      end
      StBase: begin
        for (int p = 1; p < P; p++) begin
          if (step_q == StepBits'(p)) begin
            base_d[p] = base_q[p-1] + base_step;
          end
        end
        step_d = step_q + 1'b1;
        if (step_q == StepBits'(P - 1)) begin
          state_d = StCmd;
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
  assign desc_y_addr_o = job_i[JobBits-LayoutBits-1 -: AxiAddrBits];
  assign cmd_chunk_log2_o = layout;
  assign cmd_stride_o     = stride_q;

  always_comb begin
    for (int p = 0; p < P; p++) begin
      cmd_valid_o[p] = (state_q == StCmd) && !w_sent_q[p];
      cmd_addr_o[p*AxiAddrBits +: AxiAddrBits] = base_q[p];
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
      state_q  <= StIdle;
      x_sent_q <= 1'b0;
      w_sent_q <= '0;
    end else begin
      state_q  <= state_d;
      x_sent_q <= x_sent_d;
      w_sent_q <= w_sent_d;
    end
  end

  // Job and geometry registers (no reset: written before StCmd reads them).
  always_ff @(posedge clk_i) begin
    job_q        <= job_d;
    step_q       <= step_d;
    num_sw_q     <= num_sw_d;
    num_ww_q     <= num_ww_d;
    rem_sw_q     <= rem_sw_d;
    rem_ww_q     <= rem_ww_d;
    sw_q         <= sw_d;
    ww_q         <= ww_d;
    rw_q         <= rw_d;
    mcand_q      <= mcand_d;
    x_words_q    <= x_words_d;
    port_words_q <= port_words_d;
    chunk_bytes_q <= chunk_bytes_d;
    stride_q     <= stride_d;
    for (int p = 0; p < P; p++) begin
      base_q[p] <= base_d[p];
    end
  end

endmodule
