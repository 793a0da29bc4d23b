// Register file of lf_top (docs/rtl.md): staged job registers, the job queue,
// status and error reporting, performance counters, parameter read-back.

`include "lf_pkg.sv"

module lf_csr #(
  parameter int unsigned NumPe          = 16,
  parameter int unsigned WeightBits     = 8,
  parameter int unsigned ActBits        = 8,
  parameter int unsigned GroupSize      = 256,
  parameter int unsigned ScaleFmt       = lf_pkg::ScaleFp32,
  parameter int unsigned AxiDataBits    = 128,
  parameter int unsigned AxiAddrBits    = 40,
  parameter int unsigned WeightPorts    = 1,
  parameter int unsigned MaxOutstanding = 4,
  parameter int unsigned MaxBurstBeats  = 16,
  parameter int unsigned WgtBufWords    = 64,
  parameter int unsigned ActBufCols     = 2048,
  parameter int unsigned OutBufWords    = 16,
  parameter int unsigned JobQueueDepth  = 4,
  localparam int unsigned ColBits       = $clog2(ActBufCols + 1),
  localparam int unsigned RowBits       = lf_pkg::ROW_BITS,
  localparam int unsigned LayoutBits    = lf_pkg::LAYOUT_BITS,
  // job descriptor: {layout, y_addr, x_addr, w_addr, cols, rows}
  localparam int unsigned JobBits       = LayoutBits + RowBits + ColBits + 3 * AxiAddrBits
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // register access
  input  logic               csr_req_i,
  input  logic               csr_we_i,
  input  logic [7:0]         csr_addr_i,
  input  logic [31:0]        csr_wdata_i,
  output logic [31:0]        csr_rdata_o,
  output logic               irq_o,
  // job queue head
  output logic               job_valid_o,
  output logic [JobBits-1:0] job_o,
  input  logic               job_pop_i,     // job taken by the dispatcher
  input  logic               job_done_i,    // a job completed (results written)
  // error events
  input  logic               axi_err_i,
  // counter events (per cycle)
  input  logic               ev_compute_i,       // a PE beat (NumPe MACs, one act-buffer read)
  input  logic               ev_mem_stall_i,     // PEs idle waiting for data from memory
  input  logic [15:0]        ev_bytes_read_i,
  input  logic [7:0]         ev_bytes_written_i,
  input  logic [3:0]         ev_wgt_writes_i
);

  localparam int unsigned QCntBits = $clog2(JobQueueDepth + 1);
  localparam int unsigned AlignBits = $clog2(AxiDataBits / 8);
  // Smallest legal interleave chunk (log2 bytes): one full burst.
  localparam int unsigned MinChunkLog2 = lf_pkg::burst_bytes_log2(AxiDataBits, MaxBurstBeats);

  // Staged job registers.
  logic [31:0] rows_d, rows_q, cols_d, cols_q;
  logic [63:0] w_addr_d, w_addr_q, x_addr_d, x_addr_q, y_addr_d, y_addr_q;
  logic [LayoutBits-1:0] layout_d, layout_q;   // 0 or log2 of the interleave chunk
  // Their legality, decided when they are written (so that an enqueue only
  // combines flags): ROWS bad, COLS not a group multiple, COLS too large,
  // each address misaligned (W_ADDR: to the interleave chunk if LAYOUT
  // interleaves), LAYOUT below one burst.
  logic        rows_bad_d, rows_bad_q, cols_grp_d, cols_grp_q, cols_big_d, cols_big_q;
  logic        lay_bad_d, lay_bad_q;
  logic        w_mis_d, w_mis_q, x_mis_d, x_mis_q, y_mis_d, y_mis_q;
  // Status.
  logic        err_d, err_q;
  logic [7:0]  err_code_d, err_code_q;
  logic [31:0] jobs_done_d, jobs_done_q;
  logic [7:0]  inflight_d, inflight_q;     // popped by the dispatcher, not done
  logic        irq_d, irq_q;
  // Counter slots (lf_pkg::cnt_e); the reserved slots have no register.
  localparam logic [lf_pkg::NUM_COUNTERS-1:0] CntPresent = 8'b1001_1111;
  logic [63:0] cnt_d [lf_pkg::NUM_COUNTERS];
  logic [63:0] cnt_q [lf_pkg::NUM_COUNTERS];

  logic                enq_req, enq_ok, clr_req;
  lf_pkg::err_e        enq_err;
  logic                q_full;
  logic [QCntBits-1:0] q_count;
  logic [7:0]          pending;
  logic                busy;
  logic [JobBits-1:0]  job_new;

  logic wr;
  assign wr = csr_req_i && csr_we_i;

  // ---------------------------------------------------------------------------
  // Staged registers and CTRL
  // ---------------------------------------------------------------------------
  always_comb begin
    rows_d   = rows_q;
    cols_d   = cols_q;
    w_addr_d = w_addr_q;
    x_addr_d = x_addr_q;
    y_addr_d = y_addr_q;
    layout_d = layout_q;
    if (wr) begin
      unique case (csr_addr_i)
        lf_pkg::REG_ROWS:      rows_d          = csr_wdata_i;
        lf_pkg::REG_COLS:      cols_d          = csr_wdata_i;
        lf_pkg::REG_W_ADDR_LO: w_addr_d[31:0]  = csr_wdata_i;
        lf_pkg::REG_W_ADDR_HI: w_addr_d[63:32] = csr_wdata_i;
        lf_pkg::REG_X_ADDR_LO: x_addr_d[31:0]  = csr_wdata_i;
        lf_pkg::REG_X_ADDR_HI: x_addr_d[63:32] = csr_wdata_i;
        lf_pkg::REG_Y_ADDR_LO: y_addr_d[31:0]  = csr_wdata_i;
        lf_pkg::REG_Y_ADDR_HI: y_addr_d[63:32] = csr_wdata_i;
        lf_pkg::REG_LAYOUT:    layout_d        = csr_wdata_i[LayoutBits-1:0];
        default: ;
      endcase
    end
  end

  // W_ADDR alignment: to an AXI word, or to the chunk of an interleaved
  // layout (2^LAYOUT bytes; LAYOUT <= 31, so the low word decides). Decided
  // whenever W_ADDR_LO or LAYOUT is written: the mask of the current LAYOUT
  // is a register (so that a W_ADDR_LO write only ANDs the data with it),
  // and a LAYOUT write decodes the new mask from the written value, bit i
  // being one LUT of the five LAYOUT bits.
  function automatic logic [31:0] align_mask(logic [LayoutBits-1:0] k);
    for (int i = 0; i < 32; i++) begin
      align_mask[i] = (k == '0) ? (i < AlignBits) : (32'(i) < 32'(k));
    end
  endfunction

  logic [31:0] w_align_mask_q, w_align_mask_new;
  assign w_align_mask_new = align_mask(csr_wdata_i[LayoutBits-1:0]);

  always_comb begin
    rows_bad_d = rows_bad_q;
    cols_grp_d = cols_grp_q;
    cols_big_d = cols_big_q;
    w_mis_d    = w_mis_q;
    x_mis_d    = x_mis_q;
    y_mis_d    = y_mis_q;
    lay_bad_d  = lay_bad_q;
    if (wr) begin
      unique case (csr_addr_i)
        lf_pkg::REG_ROWS: rows_bad_d = (csr_wdata_i == '0) || (csr_wdata_i >= (32'd1 << RowBits));
        lf_pkg::REG_COLS: begin
          cols_grp_d = (csr_wdata_i == '0) || ((csr_wdata_i & (GroupSize - 1)) != '0);
          cols_big_d = (csr_wdata_i > ActBufCols);
        end
        lf_pkg::REG_W_ADDR_LO: w_mis_d = ((csr_wdata_i & w_align_mask_q) != '0);
        lf_pkg::REG_LAYOUT: begin
          w_mis_d   = ((w_addr_q[31:0] & w_align_mask_new) != '0);
          lay_bad_d = (csr_wdata_i[LayoutBits-1:0] != '0)
                      && (csr_wdata_i[LayoutBits-1:0] < LayoutBits'(MinChunkLog2));
        end
        lf_pkg::REG_X_ADDR_LO: x_mis_d = (csr_wdata_i[AlignBits-1:0] != '0);
        lf_pkg::REG_Y_ADDR_LO: y_mis_d = (csr_wdata_i[AlignBits-1:0] != '0);
        default: ;
      endcase
    end
  end

  assign enq_req = wr && (csr_addr_i == lf_pkg::REG_CTRL) && csr_wdata_i[0];
  assign clr_req = wr && (csr_addr_i == lf_pkg::REG_CTRL) && csr_wdata_i[1];

  // Legality of the staged job (docs/rtl.md error codes).
  always_comb begin
    enq_err = lf_pkg::ErrNone;
    if (rows_bad_q) begin
      enq_err = lf_pkg::ErrRowsZero;
    end else if (cols_grp_q) begin
      enq_err = lf_pkg::ErrColsGroup;
    end else if (cols_big_q) begin
      enq_err = lf_pkg::ErrColsBuffer;
    end else if (lay_bad_q) begin
      enq_err = lf_pkg::ErrLayout;
    end else if (w_mis_q || x_mis_q || y_mis_q) begin
      enq_err = lf_pkg::ErrAlign;
    end
  end

  assign enq_ok  = enq_req && !q_full && (enq_err == lf_pkg::ErrNone);
  assign job_new = {layout_q, y_addr_q[AxiAddrBits-1:0], x_addr_q[AxiAddrBits-1:0], w_addr_q[AxiAddrBits-1:0],
                    cols_q[ColBits-1:0], rows_q[RowBits-1:0]};

  lf_fifo #(
    .Width(JobBits),
    .Depth(JobQueueDepth)
  ) u_job_queue (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (enq_ok),
    .wdata_i(job_new),
    .pop_i  (job_pop_i),
    .valid_o(job_valid_o),
    .rdata_o(job_o),
    .full_o (q_full),
    .count_o(q_count)
  );

  // ---------------------------------------------------------------------------
  // Status, errors, job accounting
  // ---------------------------------------------------------------------------
  // The first error since the last clear keeps its code.
  always_comb begin
    err_d      = err_q;
    err_code_d = err_code_q;
    if (clr_req) begin
      err_d      = 1'b0;
      err_code_d = lf_pkg::ErrNone;
    end
    if (enq_req && !q_full && enq_err != lf_pkg::ErrNone && !err_d) begin
      err_d      = 1'b1;
      err_code_d = enq_err;
    end else if (axi_err_i && !err_d) begin
      err_d      = 1'b1;
      err_code_d = lf_pkg::ErrAxiResp;
    end
  end

  always_comb begin
    jobs_done_d = jobs_done_q + 32'(job_done_i);
    inflight_d  = inflight_q + 8'(job_pop_i) - 8'(job_done_i);
    irq_d       = job_done_i;
  end

  // Saturates at 255 (JobQueueDepth may be 255 with jobs in flight besides).
  logic [8:0] pending_w;
  assign pending_w = 9'(q_count) + 9'(inflight_q);
  assign pending   = pending_w[8] ? 8'hFF : pending_w[7:0];
  assign busy    = (pending != '0);
  assign irq_o   = irq_q;

  // ---------------------------------------------------------------------------
  // Performance counters
  // ---------------------------------------------------------------------------
  always_comb begin
    for (int i = 0; i < lf_pkg::NUM_COUNTERS; i++) begin
      cnt_d[i] = '0;
    end
    cnt_d[lf_pkg::CntBusy]         = cnt_q[lf_pkg::CntBusy] + 64'(busy);
    cnt_d[lf_pkg::CntCompute]      = cnt_q[lf_pkg::CntCompute] + 64'(ev_compute_i);
    cnt_d[lf_pkg::CntMemStall]     = cnt_q[lf_pkg::CntMemStall] + 64'(ev_mem_stall_i);
    cnt_d[lf_pkg::CntBytesRead]    = cnt_q[lf_pkg::CntBytesRead] + 64'(ev_bytes_read_i);
    cnt_d[lf_pkg::CntBytesWritten] = cnt_q[lf_pkg::CntBytesWritten] + 64'(ev_bytes_written_i);
    cnt_d[lf_pkg::CntWgtBufWrites] = cnt_q[lf_pkg::CntWgtBufWrites] + 64'(ev_wgt_writes_i);
  end

  // ---------------------------------------------------------------------------
  // Read mux (combinational, same cycle as the request)
  // ---------------------------------------------------------------------------
  always_comb begin
    csr_rdata_o = '0;
    if (csr_req_i && !csr_we_i) begin
      unique case (csr_addr_i)
        lf_pkg::REG_STATUS:    csr_rdata_o = {8'd0, pending, err_code_q, 5'd0, err_q, q_full, busy};
        lf_pkg::REG_JOBS_DONE: csr_rdata_o = jobs_done_q;
        lf_pkg::REG_ROWS:      csr_rdata_o = rows_q;
        lf_pkg::REG_COLS:      csr_rdata_o = cols_q;
        lf_pkg::REG_W_ADDR_LO: csr_rdata_o = w_addr_q[31:0];
        lf_pkg::REG_W_ADDR_HI: csr_rdata_o = w_addr_q[63:32];
        lf_pkg::REG_X_ADDR_LO: csr_rdata_o = x_addr_q[31:0];
        lf_pkg::REG_X_ADDR_HI: csr_rdata_o = x_addr_q[63:32];
        lf_pkg::REG_Y_ADDR_LO: csr_rdata_o = y_addr_q[31:0];
        lf_pkg::REG_Y_ADDR_HI: csr_rdata_o = y_addr_q[63:32];
        lf_pkg::REG_LAYOUT:    csr_rdata_o = 32'(layout_q);
        lf_pkg::REG_PARAMS0:   csr_rdata_o = {5'd0, ScaleFmt[1:0], ActBits[4:0], WeightBits[3:0], NumPe[15:0]};
        lf_pkg::REG_PARAMS1:   csr_rdata_o = {1'b0, WeightPorts[3:0], AxiDataBits[10:0], GroupSize[15:0]};
        lf_pkg::REG_PARAMS2:   csr_rdata_o = ActBufCols;
        lf_pkg::REG_PARAMS3:   csr_rdata_o = {AxiAddrBits[7:0], JobQueueDepth[7:0], MaxBurstBeats[8:0],
                                              1'b0, MaxOutstanding[5:0]};
        lf_pkg::REG_PARAMS4:   csr_rdata_o = WgtBufWords;
        lf_pkg::REG_PARAMS5:   csr_rdata_o = OutBufWords;
        lf_pkg::REG_ID:        csr_rdata_o = lf_pkg::LF_ID;
        default: begin
          if (csr_addr_i >= lf_pkg::REG_CNT_BASE
              && csr_addr_i < lf_pkg::REG_CNT_BASE + 8'(8 * lf_pkg::NUM_COUNTERS)) begin
            if (CntPresent[csr_addr_i[5:3]]) begin
              csr_rdata_o = csr_addr_i[2] ? cnt_q[csr_addr_i[5:3]][63:32] : cnt_q[csr_addr_i[5:3]][31:0];
            end
          end
        end
      endcase
    end
  end

  // ---------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      rows_q      <= '0;
      cols_q      <= '0;
      w_addr_q    <= '0;
      x_addr_q    <= '0;
      y_addr_q    <= '0;
      layout_q    <= '0;
      w_align_mask_q <= align_mask('0);
      lay_bad_q   <= 1'b0;
      rows_bad_q  <= 1'b1;   // the reset values: ROWS = COLS = 0
      cols_grp_q  <= 1'b1;
      cols_big_q  <= 1'b0;
      w_mis_q     <= 1'b0;
      x_mis_q     <= 1'b0;
      y_mis_q     <= 1'b0;
      err_q       <= 1'b0;
      err_code_q  <= lf_pkg::ErrNone;
      jobs_done_q <= '0;
      inflight_q  <= '0;
      irq_q       <= 1'b0;
      for (int i = 0; i < lf_pkg::NUM_COUNTERS; i++) begin
        if (CntPresent[i]) begin
          cnt_q[i] <= '0;
        end
      end
    end else begin
      rows_q      <= rows_d;
      cols_q      <= cols_d;
      w_addr_q    <= w_addr_d;
      x_addr_q    <= x_addr_d;
      y_addr_q    <= y_addr_d;
      layout_q    <= layout_d;
      if (wr && csr_addr_i == lf_pkg::REG_LAYOUT) begin
        w_align_mask_q <= w_align_mask_new;
      end
      lay_bad_q   <= lay_bad_d;
      rows_bad_q  <= rows_bad_d;
      cols_grp_q  <= cols_grp_d;
      cols_big_q  <= cols_big_d;
      w_mis_q     <= w_mis_d;
      x_mis_q     <= x_mis_d;
      y_mis_q     <= y_mis_d;
      err_q       <= err_d;
      err_code_q  <= err_code_d;
      jobs_done_q <= jobs_done_d;
      inflight_q  <= inflight_d;
      irq_q       <= irq_d;
      for (int i = 0; i < lf_pkg::NUM_COUNTERS; i++) begin
        if (CntPresent[i]) begin
          cnt_q[i] <= cnt_d[i];
        end
      end
    end
  end

endmodule
