// Loads a job's activation image (docs/arithmetic.md) into the activation
// buffer and the activation-scale buffer, then holds it (act_full_o) until
// the beat generator releases it after the job's last beat.
//
// Activation buffer: ActBufCols/NumPe entries of NumPe lanes of ActBits
//   entry e, lane i = x[e*NumPe + i]   (lane i at bits [i*ActBits +: ActBits])
// Image words carry AxiDataBits/C activations in C = 8 or 16-bit containers;
// a word fills several entries (one per cycle) or several words fill one.
// Scale buffer: the image's scale words as they are, AxiDataBits/32 float32
//   scales per entry, scale g in entry g / (AxiDataBits/32), lane g mod that.

`include "lf_pkg.sv"

module lf_act_loader #(
  parameter int unsigned NumPe       = 16,
  parameter int unsigned ActBits     = 8,
  parameter int unsigned GroupSize   = 256,
  parameter int unsigned AxiDataBits = 128,
  parameter int unsigned ActBufCols  = 2048,
  localparam int unsigned ColBits    = $clog2(ActBufCols + 1),
  localparam int unsigned ActDepth   = ActBufCols / NumPe,
  localparam int unsigned EntryBits  = lf_pkg::clog2_min1(ActDepth),
  localparam int unsigned SclPerWord = AxiDataBits / 32,
  localparam int unsigned SclDepth   = lf_pkg::max_u(2, lf_pkg::ceil_div(ActBufCols / GroupSize, SclPerWord)),
  localparam int unsigned SclAddrBits = lf_pkg::clog2_min1(SclDepth)
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  // job descriptor
  input  logic                        desc_valid_i,
  input  logic [ColBits-1:0]          desc_cols_i,
  output logic                        desc_pop_o,
  // activation image words
  input  logic                        x_valid_i,
  input  logic [AxiDataBits-1:0]      x_data_i,
  output logic                        x_ready_o,
  // activation buffer write port
  output logic                        act_we_o,
  output logic [EntryBits-1:0]        act_waddr_o,
  output logic [NumPe*ActBits-1:0]    act_wdata_o,
  // activation-scale buffer write port
  output logic                        scl_we_o,
  output logic [SclAddrBits-1:0]      scl_waddr_o,
  output logic [AxiDataBits-1:0]      scl_wdata_o,
  // buffer ownership
  output logic                        act_full_o,
  input  logic                        release_i
);

  localparam int unsigned ContBits  = (ActBits <= 8) ? 8 : 16;
  localparam int unsigned ActsPerWord = AxiDataBits / ContBits;
  localparam int unsigned EntryW    = NumPe * ActBits;
  // Split: one word -> EntPerWord entries. Gather: WordsPerEnt words -> one entry.
  localparam bit          Split     = (ActsPerWord >= NumPe);
  localparam int unsigned EntPerWord = Split ? ActsPerWord / NumPe : 1;
  localparam int unsigned WordsPerEnt = Split ? 1 : NumPe / ActsPerWord;
  localparam int unsigned SubBits   = lf_pkg::clog2_min1(lf_pkg::max_u(EntPerWord, WordsPerEnt));
  localparam int unsigned NarrowW   = ActsPerWord * ActBits;

  typedef enum logic [1:0] {
    StIdle,
    StActs,
    StScales
  } state_e;

  state_e               state_d, state_q;
  logic                 full_d, full_q;
  logic [EntryBits:0]   entry_d, entry_q;
  logic [SclAddrBits:0] sword_d, sword_q;
  logic [SubBits-1:0]   sub_d, sub_q;

  logic [ColBits-1:0]   ngroups;
  // The job's last entry and last scale word, registered when the job starts
  // (the descriptor stays at its FIFO head until the job is loaded).
  logic [EntryBits:0]   last_entry_d, last_entry_q, last_entry;
  logic [SclAddrBits:0] last_sword_d, last_sword_q, last_sword;
  logic [NarrowW-1:0]   narrow;     // the input word, containers cut to ActBits
  logic                 x_fire;

  assign ngroups      = desc_cols_i >> $clog2(GroupSize);
  assign last_entry_d = (EntryBits + 1)'((desc_cols_i >> $clog2(NumPe)) - 1'b1);
  assign last_sword_d = (SclAddrBits + 1)'((ngroups + ColBits'(SclPerWord - 1)) / ColBits'(SclPerWord)) - 1'b1;
  assign last_entry   = last_entry_q;
  assign last_sword   = last_sword_q;

  // Containers hold sign-extended values: the low ActBits bits are the value.
  always_comb begin
    for (int i = 0; i < ActsPerWord; i++) begin
      narrow[i*ActBits +: ActBits] = x_data_i[i*ContBits +: ActBits];
    end
  end

  assign x_fire      = x_valid_i && x_ready_o;
  assign scl_wdata_o = x_data_i;
  assign scl_waddr_o = SclAddrBits'(sword_q);
  assign act_waddr_o = EntryBits'(entry_q);
  assign act_full_o  = full_q;

  logic act_word_done;   // Split: the held word has no entries left after this cycle
  logic act_x_ready;     // the activation phase takes an input word this cycle

  if (Split) begin : gen_split
    logic                   held_d, held_q;
    logic [NarrowW-1:0]     word_d, word_q;
    logic [EntryBits+SubBits:0] cov_d, cov_q;   // entries covered by words taken

    assign act_x_ready = (!held_q || act_word_done)
                      && (cov_q <= (EntryBits + SubBits + 1)'(last_entry));

    assign act_word_done = held_q && ((sub_q == SubBits'(EntPerWord - 1)) || (entry_q == last_entry));
    assign act_we_o      = (state_q == StActs) && held_q;
    // The held word shifts down one entry per write, so the entry to write
    // is always its low EntryW bits (no multiplexer over sub_q).
    assign act_wdata_o   = word_q[EntryW-1:0];

    always_comb begin
      held_d = held_q;
      word_d = word_q;
      if (act_we_o) begin
        word_d = word_q >> EntryW;
      end
      if (act_word_done) begin
        held_d = 1'b0;
      end
      cov_d = cov_q;
      if (state_q == StIdle) begin
        cov_d = '0;
      end
      if (state_q == StActs && x_fire) begin
        held_d = 1'b1;
        word_d = narrow;
        cov_d  = cov_q + (EntryBits + SubBits + 1)'(EntPerWord);
      end
    end

    always_ff @(posedge clk_i) begin
      if (!rst_ni) begin
        held_q <= 1'b0;
        cov_q  <= '0;
      end else begin
        held_q <= held_d;
        cov_q  <= cov_d;
      end
    end
    always_ff @(posedge clk_i) begin
      word_q <= word_d;
    end
  end else begin : gen_gather
    logic [EntryW-1:0] coll_d, coll_q;

    assign act_word_done = 1'b0;
    assign act_x_ready   = 1'b1;
    assign act_we_o      = (state_q == StActs) && x_fire && (sub_q == SubBits'(WordsPerEnt - 1));
    logic [EntryW-1:0] coll_in;   // the entry with this cycle's word in place

    // Words shift in from the top: after WordsPerEnt words, word w of the
    // entry sits at bits [w*NarrowW +: NarrowW] (no multiplexer over sub_q).
    if (WordsPerEnt == 1) begin : gen_one_word
      assign coll_in = narrow;
    end else begin : gen_shift
      assign coll_in = {narrow, coll_q[EntryW-1:NarrowW]};
    end
    assign coll_d      = (state_q == StActs && x_fire) ? coll_in : coll_q;
    assign act_wdata_o = coll_in;

    always_ff @(posedge clk_i) begin
      coll_q <= coll_d;
    end
  end

  always_comb begin
    unique case (state_q)
      StActs:   x_ready_o = act_x_ready;
      StScales: x_ready_o = 1'b1;
      default:  x_ready_o = 1'b0;
    endcase
  end

  assign scl_we_o = (state_q == StScales) && x_fire;

  always_comb begin
    state_d    = state_q;
    full_d     = full_q;
    entry_d    = entry_q;
    sword_d    = sword_q;
    sub_d      = sub_q;
    desc_pop_o = 1'b0;
    if (release_i) begin
      full_d = 1'b0;
    end
    unique case (state_q)
      StIdle: begin
        if (desc_valid_i && !full_q) begin
          state_d = StActs;
          entry_d = '0;
          sword_d = '0;
          sub_d   = '0;
        end
      end
      StActs: begin
        if (act_we_o) begin
          entry_d = entry_q + 1'b1;
          if (entry_q == last_entry) begin
            state_d = StScales;
            sub_d   = '0;
          end
        end
        if (Split) begin
          if (act_we_o) begin
            sub_d = act_word_done ? '0 : sub_q + 1'b1;
          end
        end else if (x_fire) begin
          sub_d = (sub_q == SubBits'(WordsPerEnt - 1)) ? '0 : sub_q + 1'b1;
        end
        if (act_we_o && entry_q == last_entry) begin
          sub_d = '0;
        end
      end
      StScales: begin
        if (x_fire) begin
          sword_d = sword_q + 1'b1;
          if (sword_q == last_sword) begin
            state_d    = StIdle;
            full_d     = 1'b1;
            desc_pop_o = 1'b1;
          end
        end
      end
      default: state_d = StIdle;
    endcase
  end

  // Per-job limits: loaded in StIdle, used from StActs on.
  always_ff @(posedge clk_i) begin
    if (state_q == StIdle) begin
      last_entry_q <= last_entry_d;
      last_sword_q <= last_sword_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      full_q  <= 1'b0;
      entry_q <= '0;
      sword_q <= '0;
      sub_q   <= '0;
    end else begin
      state_q <= state_d;
      full_q  <= full_d;
      entry_q <= entry_d;
      sword_q <= sword_d;
      sub_q   <= sub_d;
    end
  end

  if (ActBufCols % GroupSize != 0) begin : gen_cols_check
    $fatal(1, "lf_act_loader: ActBufCols must be a multiple of GroupSize");
  end

`ifndef SYNTHESIS
  // pragma translate_off
  ReleaseWhenFull: assert property (@(posedge clk_i) disable iff (!rst_ni) release_i |-> full_q)
    else $error("lf_act_loader: release of an empty activation buffer");
  // pragma translate_on
`endif

endmodule
