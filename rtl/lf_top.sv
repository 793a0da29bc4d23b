// LlamaF group-wise quantized matrix-vector engine: y = W·x per job, with the
// arithmetic and DRAM images of docs/arithmetic.md and the interface of
// docs/rtl.md.
//
//  csr ─► job queue ─► dispatch ─┬─► reader[p] ─► port FIFO[p] ─┐ (WeightPorts ports)
//                                └─► descriptors                │
//   ┌───────────────────────────────────────────────────────────┘
//   ▼
//  row parser ─┬─ x words (port 0) ─► act loader ─► act buffer / act-scale buffer
//              ├─ scale words ──► scale FIFO ──────────────► scale path ─┐
//              └─ weight words ─► word FIFO ─► beat gen ─► PE array ─────┴─► group post
//                                                 (gearbox)   (MAC tree)      (i2f, fmul, fadd)
//                                                                                 │
//                                        AXI write ◄── writer ◄── result FIFO ◄──┘
//
// Weight fetch runs ahead of compute by up to WgtBufWords words per port and
// across jobs; a row starts only with a free result slot, so the compute
// pipeline never stalls once a beat is issued.

`include "lf_pkg.sv"

module lf_top #(
  parameter int unsigned NumPe          = 16,
  parameter int unsigned WeightBits     = 8,
  parameter int unsigned ActBits        = 8,
  parameter int unsigned GroupSize      = 256,
  parameter int unsigned ScaleFmt       = lf_pkg::ScaleFp32,   // lf_pkg::scale_fmt_e
  parameter int unsigned AxiDataBits    = 128,
  parameter int unsigned AxiAddrBits    = 40,
  parameter int unsigned WeightPorts    = 1,
  parameter int unsigned MaxOutstanding = 4,
  parameter int unsigned MaxBurstBeats  = 16,
  parameter int unsigned WgtBufWords    = 128,
  parameter int unsigned ActBufCols     = 2048,
  parameter int unsigned OutBufWords    = 16,
  parameter int unsigned JobQueueDepth  = 4,
  localparam int unsigned P             = WeightPorts,
  localparam int unsigned AxiStrbBits   = AxiDataBits / 8
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // register interface
  input  logic                     csr_req_i,
  input  logic                     csr_we_i,
  input  logic [7:0]               csr_addr_i,
  input  logic [31:0]              csr_wdata_i,
  output logic [31:0]              csr_rdata_o,
  output logic                     irq_o,
  // AXI4 read masters (port p at [p*W +: W])
  output logic [P-1:0]             axi_arvalid_o,
  input  logic [P-1:0]             axi_arready_i,
  output logic [P*AxiAddrBits-1:0] axi_araddr_o,
  output logic [P*8-1:0]           axi_arlen_o,
  output logic [P*3-1:0]           axi_arsize_o,
  output logic [P*2-1:0]           axi_arburst_o,
  input  logic [P-1:0]             axi_rvalid_i,
  output logic [P-1:0]             axi_rready_o,
  input  logic [P*AxiDataBits-1:0] axi_rdata_i,
  input  logic [P*2-1:0]           axi_rresp_i,
  input  logic [P-1:0]             axi_rlast_i,
  // AXI4 write master (results)
  output logic                     axi_awvalid_o,
  input  logic                     axi_awready_i,
  output logic [AxiAddrBits-1:0]   axi_awaddr_o,
  output logic [7:0]               axi_awlen_o,
  output logic [2:0]               axi_awsize_o,
  output logic [1:0]               axi_awburst_o,
  output logic                     axi_wvalid_o,
  input  logic                     axi_wready_i,
  output logic [AxiDataBits-1:0]   axi_wdata_o,
  output logic [AxiStrbBits-1:0]   axi_wstrb_o,
  output logic                     axi_wlast_o,
  input  logic                     axi_bvalid_i,
  output logic                     axi_bready_o,
  input  logic [1:0]               axi_bresp_i
);

  // ---------------------------------------------------------------------------
  // Derived sizes
  // ---------------------------------------------------------------------------
  localparam int unsigned BusBits     = AxiDataBits * WeightPorts;
  localparam int unsigned AxiBytes    = AxiDataBits / 8;
  localparam int unsigned ScaleBits   = (ScaleFmt == lf_pkg::ScaleFp32) ? 32 : 16;
  localparam int unsigned WgtPerWord  = BusBits / WeightBits;
  localparam int unsigned ColBits     = $clog2(ActBufCols + 1);
  localparam int unsigned RowBits     = lf_pkg::ROW_BITS;
  localparam int unsigned JobBits     = lf_pkg::LAYOUT_BITS + RowBits + ColBits + 3 * AxiAddrBits;
  localparam int unsigned WordsBits   = AxiAddrBits - $clog2(AxiBytes) + 1;
  localparam int unsigned DotBits     = WeightBits + ActBits + $clog2(GroupSize);
  localparam int unsigned ActDepth    = ActBufCols / NumPe;
  localparam int unsigned EntryBits   = lf_pkg::clog2_min1(ActDepth);
  localparam int unsigned NumGroups   = ActBufCols / GroupSize;
  localparam int unsigned GrpBits     = lf_pkg::clog2_min1(NumGroups);
  localparam int unsigned SclPerAxi   = AxiDataBits / 32;
  localparam int unsigned SclDepth    = lf_pkg::max_u(2, lf_pkg::ceil_div(NumGroups, SclPerAxi));
  localparam int unsigned SclAddrBits = lf_pkg::clog2_min1(SclDepth);
  // Scale words per row at the widest job.
  localparam int unsigned SwMax       = lf_pkg::ceil_div(NumGroups * ScaleBits, BusBits);
  // Scale FIFO: this row's and the next row's scale words.
  localparam int unsigned SclFifoDepth = lf_pkg::min_u(256, lf_pkg::max_u(4, 2 * SwMax + 2));
  // Weight-word FIFO: when the bus outruns the PEs, enough words to keep the
  // PEs busy while the next row's scale words pass.
  localparam int unsigned WwFifoDepth = (WgtPerWord > NumPe) ? lf_pkg::min_u(64, lf_pkg::max_u(4, SwMax + 2)) : 4;
  // Result FIFO: at least two AXI words of results (docs/rtl.md).
  localparam int unsigned ResDepth    = lf_pkg::max_u(OutBufWords, 2 * (AxiDataBits / 32));
  localparam int unsigned ResCntBits  = $clog2(ResDepth + 1);
  localparam int unsigned PortCntBits = $clog2(WgtBufWords + 1);
  localparam int unsigned DescFifoDepth = 4;

  // ---------------------------------------------------------------------------
  // Registers and job queue
  // ---------------------------------------------------------------------------
  logic               job_valid, job_pop, job_done;
  logic [JobBits-1:0] job;
  logic               axi_err;
  // Counter events, registered once before the counters (the counts lag by
  // a cycle; the last event of a job precedes its write response).
  logic               ev_compute, ev_mem_stall;
  logic [15:0]        ev_bytes_read;
  logic [7:0]         ev_bytes_written;
  logic [3:0]         ev_wgt_writes;
  logic               ev_compute_q, ev_mem_stall_q;
  logic [15:0]        ev_bytes_read_q;
  logic [7:0]         ev_bytes_written_q;
  logic [3:0]         ev_wgt_writes_q;

  lf_csr #(
    .NumPe         (NumPe),
    .WeightBits    (WeightBits),
    .ActBits       (ActBits),
    .GroupSize     (GroupSize),
    .ScaleFmt      (ScaleFmt),
    .AxiDataBits   (AxiDataBits),
    .AxiAddrBits   (AxiAddrBits),
    .WeightPorts   (WeightPorts),
    .MaxOutstanding(MaxOutstanding),
    .MaxBurstBeats (MaxBurstBeats),
    .WgtBufWords   (WgtBufWords),
    .ActBufCols    (ActBufCols),
    .OutBufWords   (OutBufWords),
    .JobQueueDepth (JobQueueDepth)
  ) u_csr (
    .clk_i             (clk_i),
    .rst_ni            (rst_ni),
    .csr_req_i         (csr_req_i),
    .csr_we_i          (csr_we_i),
    .csr_addr_i        (csr_addr_i),
    .csr_wdata_i       (csr_wdata_i),
    .csr_rdata_o       (csr_rdata_o),
    .irq_o             (irq_o),
    .job_valid_o       (job_valid),
    .job_o             (job),
    .job_pop_i         (job_pop),
    .job_done_i        (job_done),
    .axi_err_i         (axi_err),
    .ev_compute_i      (ev_compute_q),
    .ev_mem_stall_i    (ev_mem_stall_q),
    .ev_bytes_read_i   (ev_bytes_read_q),
    .ev_bytes_written_i(ev_bytes_written_q),
    .ev_wgt_writes_i   (ev_wgt_writes_q)
  );

  // ---------------------------------------------------------------------------
  // Dispatch and per-stage job descriptors
  // ---------------------------------------------------------------------------
  logic                     desc_push, desc_space;
  logic [RowBits-1:0]       desc_rows;
  logic [ColBits-1:0]       desc_cols;
  logic [AxiAddrBits-1:0]   desc_y_addr;
  logic [P-1:0]             cmd_valid, cmd_ready, cmd_tag;
  logic [P*AxiAddrBits-1:0] cmd_addr;
  logic [P*WordsBits-1:0]   cmd_words;
  logic [lf_pkg::LAYOUT_BITS-1:0] cmd_chunk_log2;
  logic [AxiAddrBits-1:0]   cmd_stride;

  lf_job_dispatch #(
    .WeightBits (WeightBits),
    .ActBits    (ActBits),
    .GroupSize  (GroupSize),
    .ScaleFmt   (ScaleFmt),
    .AxiDataBits(AxiDataBits),
    .AxiAddrBits(AxiAddrBits),
    .WeightPorts(WeightPorts),
    .ActBufCols (ActBufCols)
  ) u_dispatch (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .job_valid_i  (job_valid),
    .job_i        (job),
    .job_pop_o    (job_pop),
    .desc_space_i (desc_space),
    .desc_push_o  (desc_push),
    .desc_rows_o  (desc_rows),
    .desc_cols_o  (desc_cols),
    .desc_y_addr_o(desc_y_addr),
    .cmd_valid_o  (cmd_valid),
    .cmd_ready_i  (cmd_ready),
    .cmd_addr_o   (cmd_addr),
    .cmd_words_o  (cmd_words),
    .cmd_tag_o    (cmd_tag),
    .cmd_chunk_log2_o(cmd_chunk_log2),
    .cmd_stride_o (cmd_stride)
  );

  logic               pd_valid, pd_pop, pd_full;     // parser
  logic [RowBits-1:0] pd_rows;
  logic [ColBits-1:0] pd_cols;
  logic               bd_valid, bd_pop, bd_full;     // beat generator
  logic [RowBits-1:0] bd_rows;
  logic [ColBits-1:0] bd_cols;
  logic               ld_valid, ld_pop, ld_full;     // activation loader
  logic [ColBits-1:0] ld_cols;
  logic               wd_valid, wd_pop, wd_full;     // writer: bursts
  logic [RowBits-1:0] wd_rows;
  logic [AxiAddrBits-1:0] wd_y_addr;
  logic               kd_valid, kd_pop, kd_full;     // writer: result packer
  logic [RowBits-1:0] kd_rows;

  assign desc_space = !pd_full && !bd_full && !ld_full && !wd_full && !kd_full;

  // The parser and the beat generator decode their descriptor in the cycle
  // they use it, so theirs comes from a register slice, not from the FIFO's
  // (LUTRAM) storage.
  logic                       pdf_valid, pdf_pop, bdf_valid, bdf_pop;
  logic [RowBits+ColBits-1:0] pdf_data, bdf_data;

  lf_fifo #(.Width(RowBits + ColBits), .Depth(DescFifoDepth)) u_pd_fifo (
    .clk_i(clk_i), .rst_ni(rst_ni), .push_i(desc_push), .wdata_i({desc_rows, desc_cols}),
    .pop_i(pdf_pop), .valid_o(pdf_valid), .rdata_o(pdf_data), .full_o(pd_full), .count_o()
  );
  lf_reg_slice #(.Width(RowBits + ColBits)) u_pd_slice (
    .clk_i(clk_i), .rst_ni(rst_ni), .in_valid_i(pdf_valid), .in_data_i(pdf_data), .in_pop_o(pdf_pop),
    .valid_o(pd_valid), .data_o({pd_rows, pd_cols}), .pop_i(pd_pop)
  );
  lf_fifo #(.Width(RowBits + ColBits), .Depth(DescFifoDepth)) u_bd_fifo (
    .clk_i(clk_i), .rst_ni(rst_ni), .push_i(desc_push), .wdata_i({desc_rows, desc_cols}),
    .pop_i(bdf_pop), .valid_o(bdf_valid), .rdata_o(bdf_data), .full_o(bd_full), .count_o()
  );
  lf_reg_slice #(.Width(RowBits + ColBits)) u_bd_slice (
    .clk_i(clk_i), .rst_ni(rst_ni), .in_valid_i(bdf_valid), .in_data_i(bdf_data), .in_pop_o(bdf_pop),
    .valid_o(bd_valid), .data_o({bd_rows, bd_cols}), .pop_i(bd_pop)
  );
  lf_fifo #(.Width(ColBits), .Depth(DescFifoDepth)) u_ld_fifo (
    .clk_i(clk_i), .rst_ni(rst_ni), .push_i(desc_push), .wdata_i(desc_cols),
    .pop_i(ld_pop), .valid_o(ld_valid), .rdata_o(ld_cols), .full_o(ld_full), .count_o()
  );
  lf_fifo #(.Width(AxiAddrBits + RowBits), .Depth(DescFifoDepth)) u_wd_fifo (
    .clk_i(clk_i), .rst_ni(rst_ni), .push_i(desc_push), .wdata_i({desc_y_addr, desc_rows}),
    .pop_i(wd_pop), .valid_o(wd_valid), .rdata_o({wd_y_addr, wd_rows}), .full_o(wd_full), .count_o()
  );
  lf_fifo #(.Width(RowBits), .Depth(DescFifoDepth)) u_kd_fifo (
    .clk_i(clk_i), .rst_ni(rst_ni), .push_i(desc_push), .wdata_i(desc_rows),
    .pop_i(kd_pop), .valid_o(kd_valid), .rdata_o(kd_rows), .full_o(kd_full), .count_o()
  );

  // ---------------------------------------------------------------------------
  // Read ports: burst generators and port FIFOs ({tag, data})
  // ---------------------------------------------------------------------------
  logic [P-1:0]             rd_err, pf_push, pf_pop, pf_valid;
  logic [P-1:0]             rd_fetching;   // port p: beats requested, not yet arrived
  logic [P-1:0]             pf_empty;      // port p: FIFO holds no word, not even in flight
  logic [P*AxiDataBits-1:0] pf_data;
  logic [P-1:0]             pf_tag;

  for (genvar p = 0; p < P; p++) begin : gen_port
    logic                   out_valid;
    logic [AxiDataBits-1:0] out_data;
    logic                   out_tag;
    logic [PortCntBits-1:0] count;

    lf_axi_reader #(
      .AxiDataBits   (AxiDataBits),
      .AxiAddrBits   (AxiAddrBits),
      .MaxOutstanding(MaxOutstanding),
      .MaxBurstBeats (MaxBurstBeats),
      .BufWords      (WgtBufWords),
      .TagBits       (1)
    ) u_reader (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .cmd_valid_i  (cmd_valid[p]),
      .cmd_ready_o  (cmd_ready[p]),
      .cmd_addr_i   (cmd_addr[p*AxiAddrBits +: AxiAddrBits]),
      .cmd_words_i  (cmd_words[p*WordsBits +: WordsBits]),
      .cmd_tag_i    (cmd_tag[p]),
      // the activation image (tag 1) is one contiguous range
      .cmd_chunk_log2_i(cmd_chunk_log2),
      .cmd_stride_i (cmd_tag[p] ? '0 : cmd_stride),
      .buf_count_i  (count),
      .axi_arvalid_o(axi_arvalid_o[p]),
      .axi_arready_i(axi_arready_i[p]),
      .axi_araddr_o (axi_araddr_o[p*AxiAddrBits +: AxiAddrBits]),
      .axi_arlen_o  (axi_arlen_o[p*8 +: 8]),
      .axi_arsize_o (axi_arsize_o[p*3 +: 3]),
      .axi_arburst_o(axi_arburst_o[p*2 +: 2]),
      .axi_rvalid_i (axi_rvalid_i[p]),
      .axi_rready_o (axi_rready_o[p]),
      .axi_rdata_i  (axi_rdata_i[p*AxiDataBits +: AxiDataBits]),
      .axi_rresp_i  (axi_rresp_i[p*2 +: 2]),
      .axi_rlast_i  (axi_rlast_i[p]),
      .out_valid_o  (out_valid),
      .out_data_o   (out_data),
      .out_tag_o    (out_tag),
      .fetching_o   (rd_fetching[p]),
      .err_o        (rd_err[p])
    );

    // The parser sees the FIFO head through a register slice: a block-RAM
    // FIFO's head comes straight from the RAM (~0.8 ns clock to out), and the
    // parser's pop decision depends on it. The reader's credit counts the
    // FIFO only, so the slice is spare room.
    logic                   fifo_valid, fifo_pop;
    logic [AxiDataBits:0]   fifo_data;

    lf_fifo #(
      .Width(AxiDataBits + 1),
      .Depth(WgtBufWords)
    ) u_port_fifo (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .push_i (out_valid),
      .wdata_i({out_tag, out_data}),
      .pop_i  (fifo_pop),
      .valid_o(fifo_valid),
      .rdata_o(fifo_data),
      .full_o (),
      .count_o(count)
    );

    lf_reg_slice #(
      .Width(AxiDataBits + 1)
    ) u_port_slice (
      .clk_i     (clk_i),
      .rst_ni    (rst_ni),
      .in_valid_i(fifo_valid),
      .in_data_i (fifo_data),
      .in_pop_o  (fifo_pop),
      .valid_o   (pf_valid[p]),
      .data_o    ({pf_tag[p], pf_data[p*AxiDataBits +: AxiDataBits]}),
      .pop_i     (pf_pop[p])
    );

    assign pf_push[p]  = out_valid;
    assign pf_empty[p] = (count == '0) && !pf_valid[p];
  end

  // ---------------------------------------------------------------------------
  // Row parser, scale FIFO, weight-word FIFO
  // ---------------------------------------------------------------------------
  logic                   x_valid, x_ready;
  logic [AxiDataBits-1:0] x_data;
  logic                   sf_push, sf_full, sf_valid, sf_pop;
  logic [BusBits-1:0]     sf_word;
  logic                   wf_push, wf_full, wf_valid, wf_pop;
  logic [BusBits-1:0]     bus_word, wf_word;

  lf_row_parser #(
    .WeightBits (WeightBits),
    .GroupSize  (GroupSize),
    .ScaleFmt   (ScaleFmt),
    .AxiDataBits(AxiDataBits),
    .WeightPorts(WeightPorts),
    .ActBufCols (ActBufCols)
  ) u_parser (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .desc_valid_i(pd_valid),
    .desc_rows_i (pd_rows),
    .desc_cols_i (pd_cols),
    .desc_pop_o  (pd_pop),
    .port_valid_i(pf_valid),
    .port_data_i (pf_data),
    .port0_tag_i (pf_tag[0]),
    .port_pop_o  (pf_pop),
    .x_valid_o   (x_valid),
    .x_data_o    (x_data),
    .x_ready_i   (x_ready),
    .scale_push_o(sf_push),
    .scale_full_i(sf_full),
    .wgt_push_o  (wf_push),
    .wgt_full_i  (wf_full),
    .bus_word_o  (bus_word)
  );

  lf_fifo #(
    .Width(BusBits),
    .Depth(SclFifoDepth)
  ) u_scale_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (sf_push),
    .wdata_i(bus_word),
    .pop_i  (sf_pop),
    .valid_o(sf_valid),
    .rdata_o(sf_word),
    .full_o (sf_full),
    .count_o()
  );

  lf_fifo #(
    .Width(BusBits),
    .Depth(WwFifoDepth)
  ) u_word_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (wf_push),
    .wdata_i(bus_word),
    .pop_i  (wf_pop),
    .valid_o(wf_valid),
    .rdata_o(wf_word),
    .full_o (wf_full),
    .count_o()
  );

  // ---------------------------------------------------------------------------
  // Activation loader and buffers
  // ---------------------------------------------------------------------------
  logic                       act_we, scl_we, act_full, act_release;
  logic [EntryBits-1:0]       act_waddr;
  logic [NumPe*ActBits-1:0]   act_wdata, act_rdata;
  logic [SclAddrBits-1:0]     scl_waddr, scl_raddr;
  logic [AxiDataBits-1:0]     scl_wdata, scl_rdata;
  logic                       scl_re;

  lf_act_loader #(
    .NumPe      (NumPe),
    .ActBits    (ActBits),
    .GroupSize  (GroupSize),
    .AxiDataBits(AxiDataBits),
    .ActBufCols (ActBufCols)
  ) u_act_loader (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .desc_valid_i(ld_valid),
    .desc_cols_i (ld_cols),
    .desc_pop_o  (ld_pop),
    .x_valid_i   (x_valid),
    .x_data_i    (x_data),
    .x_ready_o   (x_ready),
    .act_we_o    (act_we),
    .act_waddr_o (act_waddr),
    .act_wdata_o (act_wdata),
    .scl_we_o    (scl_we),
    .scl_waddr_o (scl_waddr),
    .scl_wdata_o (scl_wdata),
    .act_full_o  (act_full),
    .release_i   (act_release)
  );

  // ---------------------------------------------------------------------------
  // Beat generator (stage B0)
  // ---------------------------------------------------------------------------
  logic                        credit_ok, credit_take, res_pop;
  logic                        bg_idle;   // beat generator in a job, no beat, not waiting for a credit
  logic [ResCntBits-1:0]       credit_d, credit_q;
  logic                        b0_valid, b0_gfirst, b0_glast, b0_rlast;
  logic [NumPe*WeightBits-1:0] b0_w;
  logic [EntryBits-1:0]        b0_entry;
  logic [GrpBits-1:0]          b0_grp;

  lf_beat_gen #(
    .NumPe      (NumPe),
    .WeightBits (WeightBits),
    .GroupSize  (GroupSize),
    .AxiDataBits(AxiDataBits),
    .WeightPorts(WeightPorts),
    .ActBufCols (ActBufCols)
  ) u_beat_gen (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .desc_valid_i (bd_valid),
    .desc_rows_i  (bd_rows),
    .desc_cols_i  (bd_cols),
    .desc_pop_o   (bd_pop),
    .wgt_valid_i  (wf_valid),
    .wgt_word_i   (wf_word),
    .wgt_pop_o    (wf_pop),
    .act_ready_i  (act_full),
    .act_release_o(act_release),
    .credit_ok_i  (credit_ok),
    .credit_take_o(credit_take),
    .beat_valid_o (b0_valid),
    .beat_w_o     (b0_w),
    .beat_entry_o (b0_entry),
    .beat_grp_o   (b0_grp),
    .beat_gfirst_o(b0_gfirst),
    .beat_glast_o (b0_glast),
    .beat_rfirst_o(),
    .beat_rlast_o (b0_rlast),
    .mem_stall_o  (bg_idle)
  );

  // Result credits: one per free result-FIFO slot, taken when a row starts.
  assign credit_ok = (credit_q != '0);
  assign credit_d  = credit_q - ResCntBits'(credit_take) + ResCntBits'(res_pop);

  lf_ram_1r1w #(
    .Width(NumPe * ActBits),
    .Depth(ActDepth)
  ) u_act_buf (
    .clk_i  (clk_i),
    .we_i   (act_we),
    .waddr_i(act_waddr),
    .wdata_i(act_wdata),
    .re_i   (b0_valid),
    .raddr_i(b0_entry),
    .rdata_o(act_rdata)
  );

  lf_ram_1r1w #(
    .Width(AxiDataBits),
    .Depth(SclDepth)
  ) u_scl_buf (
    .clk_i  (clk_i),
    .we_i   (scl_we),
    .waddr_i(scl_waddr),
    .wdata_i(scl_wdata),
    .re_i   (scl_re),
    .raddr_i(scl_raddr),
    .rdata_o(scl_rdata)
  );

  // ---------------------------------------------------------------------------
  // Stage B1: activations arrive; PE array; scale path
  // ---------------------------------------------------------------------------
  logic                        b1_valid_q, b1_gfirst_q, b1_glast_q, b1_grp0_q, b1_rlast_q;
  logic [NumPe*WeightBits-1:0] b1_w_q;
  logic                        d_valid, d_rfirst, d_rlast;
  logic [DotBits-1:0]          d;
  logic                        s_valid;
  logic [31:0]                 s;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      b1_valid_q <= 1'b0;
      credit_q   <= ResCntBits'(ResDepth);
    end else begin
      b1_valid_q <= b0_valid;
      credit_q   <= credit_d;
    end
  end

  always_ff @(posedge clk_i) begin
    b1_w_q      <= b0_w;
    b1_gfirst_q <= b0_gfirst;
    b1_glast_q  <= b0_glast;
    b1_grp0_q   <= (b0_grp == '0);
    b1_rlast_q  <= b0_rlast;
  end

  lf_pe_array #(
    .NumPe     (NumPe),
    .WeightBits(WeightBits),
    .ActBits   (ActBits),
    .GroupSize (GroupSize),
    .MetaBits  (2)
  ) u_pe_array (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .valid_i (b1_valid_q),
    .w_i     (b1_w_q),
    .a_i     (act_rdata),
    .gfirst_i(b1_gfirst_q),
    .glast_i (b1_glast_q),
    .meta_i  ({b1_grp0_q, b1_rlast_q}),
    .valid_o (d_valid),
    .d_o     (d),
    .meta_o  ({d_rfirst, d_rlast})
  );

  lf_scale_path #(
    .ScaleFmt   (ScaleFmt),
    .AxiDataBits(AxiDataBits),
    .WeightPorts(WeightPorts),
    .GrpBits    (GrpBits),
    .SclAddrBits(SclAddrBits)
  ) u_scale_path (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .grp_valid_i(b0_valid && b0_glast),
    .grp_i      (b0_grp),
    .grp_rlast_i(b0_rlast),
    .sw_valid_i (sf_valid),
    .sw_word_i  (sf_word),
    .sw_pop_o   (sf_pop),
    .sx_re_o    (scl_re),
    .sx_raddr_o (scl_raddr),
    .sx_rdata_i (scl_rdata),
    .s_valid_o  (s_valid),
    .s_o        (s)
  );

  // ---------------------------------------------------------------------------
  // Float post-processing, result FIFO, writer
  // ---------------------------------------------------------------------------
  logic                  y_valid, res_valid;
  logic [31:0]           y, res;
  logic                  wr_err;

  lf_group_post #(
    .DotBits  (DotBits),
    .MaxGroups(NumGroups)
  ) u_post (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .d_valid_i (d_valid),
    .d_i       (d),
    .d_rfirst_i(d_rfirst),
    .d_rlast_i (d_rlast),
    .s_valid_i (s_valid),
    .s_i       (s),
    .y_valid_o (y_valid),
    .y_o       (y)
  );

  lf_fifo #(
    .Width(32),
    .Depth(ResDepth)
  ) u_res_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (y_valid),
    .wdata_i(y),
    .pop_i  (res_pop),
    .valid_o(res_valid),
    .rdata_o(res),
    .full_o (),
    .count_o()
  );

  lf_axi_writer #(
    .AxiDataBits  (AxiDataBits),
    .AxiAddrBits  (AxiAddrBits),
    .MaxBurstBeats(MaxBurstBeats)
  ) u_writer (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .desc_valid_i    (wd_valid),
    .desc_rows_i     (wd_rows),
    .desc_y_addr_i   (wd_y_addr),
    .desc_pop_o      (wd_pop),
    .pk_desc_valid_i (kd_valid),
    .pk_desc_rows_i  (kd_rows),
    .pk_desc_pop_o   (kd_pop),
    .res_valid_i     (res_valid),
    .res_i           (res),
    .res_pop_o       (res_pop),
    .axi_awvalid_o   (axi_awvalid_o),
    .axi_awready_i   (axi_awready_i),
    .axi_awaddr_o    (axi_awaddr_o),
    .axi_awlen_o     (axi_awlen_o),
    .axi_awsize_o    (axi_awsize_o),
    .axi_awburst_o   (axi_awburst_o),
    .axi_wvalid_o    (axi_wvalid_o),
    .axi_wready_i    (axi_wready_i),
    .axi_wdata_o     (axi_wdata_o),
    .axi_wstrb_o     (axi_wstrb_o),
    .axi_wlast_o     (axi_wlast_o),
    .axi_bvalid_i    (axi_bvalid_i),
    .axi_bready_o    (axi_bready_o),
    .axi_bresp_i     (axi_bresp_i),
    .job_done_o      (job_done),
    .err_o           (wr_err)
  );

  // ---------------------------------------------------------------------------
  // Events
  // ---------------------------------------------------------------------------
  logic [7:0] strb_bytes;

  always_comb begin
    ev_bytes_read = '0;
    ev_wgt_writes = '0;
    for (int p = 0; p < P; p++) begin
      ev_bytes_read = ev_bytes_read + (axi_rvalid_i[p] && axi_rready_o[p] ? 16'(AxiBytes) : 16'd0);
      ev_wgt_writes = ev_wgt_writes + 4'(pf_push[p]);
    end
    strb_bytes = '0;
    for (int b = 0; b < AxiStrbBits; b++) begin
      strb_bytes = strb_bytes + 8'(axi_wstrb_o[b]);
    end
    ev_bytes_written = (axi_wvalid_o && axi_wready_i) ? strb_bytes : 8'd0;
  end

  // Only port 0 carries activation images; the other ports' tags are 0.
  logic unused_tags;
  assign unused_tags = ^(pf_tag >> 1);

  // Memory stall (CNT_MEM_STALL, docs/rtl.md): the beat generator has a job
  // and issues no beat for want of data that is still on its way from
  // memory. With the activations loaded it waits for weight words: the word
  // FIFO is empty and a read port the parser needs holds no word while its
  // reader has beats outstanding. Before that it waits for the activation
  // image: the loader wants a word and port 0 holds none while beats are
  // outstanding. Not counted: result credits, scale words, activation loading
  // from words already read, pipeline refill, the readers' own request delay.
  logic wgt_starved, x_starved;
  assign wgt_starved  = |(pf_empty & rd_fetching);
  assign x_starved    = x_ready && pf_empty[0] && rd_fetching[0];
  assign ev_mem_stall = bg_idle && (act_full ? (!wf_valid && wgt_starved) : x_starved);

  assign ev_compute = b0_valid;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      ev_compute_q       <= 1'b0;
      ev_mem_stall_q     <= 1'b0;
      ev_bytes_read_q    <= '0;
      ev_bytes_written_q <= '0;
      ev_wgt_writes_q    <= '0;
    end else begin
      ev_compute_q       <= ev_compute;
      ev_mem_stall_q     <= ev_mem_stall;
      ev_bytes_read_q    <= ev_bytes_read;
      ev_bytes_written_q <= ev_bytes_written;
      ev_wgt_writes_q    <= ev_wgt_writes;
    end
  end
  assign axi_err    = (|rd_err) || wr_err;

  // ---------------------------------------------------------------------------
  // Parameter legality (docs/rtl.md)
  // ---------------------------------------------------------------------------
  if (!lf_pkg::is_pow2(NumPe) || NumPe < 1 || NumPe > 512) begin : gen_err_numpe
    $fatal(1, "lf_top: NumPe must be a power of two in 1..512");
  end
  if (NumPe > GroupSize) begin : gen_err_numpe_group
    $fatal(1, "lf_top: NumPe must be <= GroupSize");
  end
  if (WeightBits != 2 && WeightBits != 4 && WeightBits != 8) begin : gen_err_wbits
    $fatal(1, "lf_top: WeightBits must be 2, 4 or 8");
  end
  if (ActBits < 4 || ActBits > 16) begin : gen_err_abits
    $fatal(1, "lf_top: ActBits must be in 4..16");
  end
  if (!lf_pkg::is_pow2(GroupSize) || GroupSize < 16 || GroupSize > 512) begin : gen_err_group
    $fatal(1, "lf_top: GroupSize must be a power of two in 16..512");
  end
  if (ScaleFmt > 2) begin : gen_err_scale
    $fatal(1, "lf_top: ScaleFmt must be 0 (fp32), 1 (fp16) or 2 (bf16)");
  end
  if (AxiDataBits != 64 && AxiDataBits != 128 && AxiDataBits != 256 && AxiDataBits != 512)
  begin : gen_err_axi_data
    $fatal(1, "lf_top: AxiDataBits must be 64, 128, 256 or 512");
  end
  if (AxiAddrBits < 32 || AxiAddrBits > 64) begin : gen_err_axi_addr
    $fatal(1, "lf_top: AxiAddrBits must be in 32..64");
  end
  if (WeightPorts < 1 || WeightPorts > 8) begin : gen_err_ports
    $fatal(1, "lf_top: WeightPorts must be in 1..8");
  end
  if (MaxOutstanding < 1 || MaxOutstanding > 32) begin : gen_err_outst
    $fatal(1, "lf_top: MaxOutstanding must be in 1..32");
  end
  if (!lf_pkg::is_pow2(MaxBurstBeats) || MaxBurstBeats > 256) begin : gen_err_burst
    $fatal(1, "lf_top: MaxBurstBeats must be a power of two in 1..256");
  end
  if (WgtBufWords < MaxOutstanding * MaxBurstBeats || WgtBufWords < 2) begin : gen_err_wgtbuf
    $fatal(1, "lf_top: WgtBufWords must be >= MaxOutstanding * MaxBurstBeats (and >= 2)");
  end
  if (ActBufCols == 0 || ActBufCols % GroupSize != 0) begin : gen_err_actbuf
    $fatal(1, "lf_top: ActBufCols must be a nonzero multiple of GroupSize");
  end
  if (OutBufWords < 2) begin : gen_err_outbuf
    $fatal(1, "lf_top: OutBufWords must be >= 2");
  end
  if (JobQueueDepth < 2 || JobQueueDepth > 255) begin : gen_err_queue
    $fatal(1, "lf_top: JobQueueDepth must be in 2..255");
  end

`ifndef SYNTHESIS
  // pragma translate_off
  CreditsBounded: assert property (@(posedge clk_i) disable iff (!rst_ni)
      credit_q <= ResCntBits'(ResDepth))
    else $error("lf_top: result credits above the FIFO capacity");
  ResultFifoRoom: assert property (@(posedge clk_i) disable iff (!rst_ni)
      y_valid |-> !(u_res_fifo.full_o && !res_pop))
    else $error("lf_top: result FIFO overflow");
  // pragma translate_on
`endif

endmodule
