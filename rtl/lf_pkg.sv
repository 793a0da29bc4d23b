// LlamaF accelerator: shared types, constants, register map and elaboration helpers.
// Every rtl/ file that uses lf_pkg `include`s this file, so that the package
// is declared before its first use whatever order the tools read the files in
// (Verilator needs -I<rtl dir>; Yosys searches the including file's folder).
`ifndef LF_PKG_SV
`define LF_PKG_SV

package lf_pkg;

  // Weight-scale storage format in the weight image (docs/arithmetic.md).
  // An `int unsigned` enum so that the `ScaleFmt` parameter can be a plain
  // integer (Verilator -G overrides) compared against these names.
  typedef enum int unsigned {
    ScaleFp32 = 0,
    ScaleFp16 = 1,
    ScaleBf16 = 2
  } scale_fmt_e;

  // Runtime error codes (STATUS[15:8]).
  typedef enum logic [7:0] {
    ErrNone       = 8'd0,
    ErrRowsZero   = 8'd1,  // ROWS == 0
    ErrColsGroup  = 8'd2,  // COLS == 0 or not a multiple of GroupSize
    ErrColsBuffer = 8'd3,  // COLS > ActBufCols
    ErrAlign      = 8'd4,  // an address is not a multiple of AxiDataBits/8
    ErrAxiResp    = 8'd5,  // a read or write response was not OKAY
    ErrLayout     = 8'd6   // LAYOUT names a chunk smaller than one full burst
  } err_e;

  // Register map (byte addresses), see docs/rtl.md.
  localparam logic [7:0] REG_CTRL          = 8'h00;
  localparam logic [7:0] REG_STATUS        = 8'h04;
  localparam logic [7:0] REG_JOBS_DONE     = 8'h08;
  localparam logic [7:0] REG_ROWS          = 8'h0C;
  localparam logic [7:0] REG_COLS          = 8'h10;
  localparam logic [7:0] REG_W_ADDR_LO     = 8'h14;
  localparam logic [7:0] REG_W_ADDR_HI     = 8'h18;
  localparam logic [7:0] REG_X_ADDR_LO     = 8'h1C;
  localparam logic [7:0] REG_X_ADDR_HI     = 8'h20;
  localparam logic [7:0] REG_Y_ADDR_LO     = 8'h24;
  localparam logic [7:0] REG_Y_ADDR_HI     = 8'h28;
  localparam logic [7:0] REG_LAYOUT        = 8'h2C;
  localparam logic [7:0] REG_CNT_BASE      = 8'h40;  // 8 counters x {LO, HI}
  localparam logic [7:0] REG_PARAMS0       = 8'h80;
  localparam logic [7:0] REG_PARAMS1       = 8'h84;
  localparam logic [7:0] REG_PARAMS2       = 8'h88;
  localparam logic [7:0] REG_PARAMS3       = 8'h8C;
  localparam logic [7:0] REG_PARAMS4       = 8'h90;
  localparam logic [7:0] REG_PARAMS5       = 8'h94;
  localparam logic [7:0] REG_ID            = 8'h9C;

  // Performance counters: slot i at REG_CNT_BASE + 8*i (LO, HI). Slots 5
  // and 6 are reserved and read 0: the MACs and the activation-buffer reads
  // are NumPe and 1 per PE beat, i.e. NumPe * CNT_COMPUTE and CNT_COMPUTE,
  // and are derived by the driver (sim/rtl_driver/lf_csr.h), not counted.
  typedef enum int unsigned {
    CntBusy         = 0,
    CntCompute      = 1,
    CntMemStall     = 2,
    CntBytesRead    = 3,
    CntBytesWritten = 4,
    CntWgtBufWrites = 7
  } cnt_e;
  localparam int unsigned NUM_COUNTERS = 8;   // slots, reserved ones included

  // "LF" and interface version 3 (version 2 had no LAYOUT register; version
  // 1 had hardware counters in slots 5 and 6).
  localparam logic [31:0] LF_ID = 32'h4C46_0003;

  // Weight-image layout of a job (LAYOUT register, docs/arithmetic.md): 0 is
  // one contiguous region per port; k > 0 interleaves the ports in chunks of
  // 2^k bytes (port p reads chunks p, p + P, p + 2P, ...).
  localparam int unsigned LAYOUT_BITS = 5;


  // Largest supported job row count: ROWS is a 24-bit field.
  localparam int unsigned ROW_BITS = 24;

  // AXI constants.
  localparam logic [1:0] AXI_BURST_INCR = 2'b01;
  localparam logic [1:0] AXI_RESP_OKAY  = 2'b00;
  localparam int unsigned AXI_4K_BYTES  = 4096;

  // Canonical NaN of the float unit.
  localparam logic [31:0] FP_CANON_NAN = 32'h7FC0_0000;

  // Elaboration helpers (Yosys 0.23: no `return`, no `while` in functions).
  function automatic int unsigned max_u(int unsigned a, int unsigned b);
    max_u = (a > b) ? a : b;
  endfunction

  function automatic int unsigned min_u(int unsigned a, int unsigned b);
    min_u = (a < b) ? a : b;
  endfunction

  // ceil(log2(x)) but at least 1, for counter and address widths.
  function automatic int unsigned clog2_min1(int unsigned x);
    clog2_min1 = (x <= 2) ? 1 : $clog2(x);
  endfunction

  function automatic int unsigned ceil_div(int unsigned a, int unsigned b);
    ceil_div = (a + b - 1) / b;
  endfunction

  function automatic bit is_pow2(int unsigned x);
    is_pow2 = (x != 0) && ((x & (x - 1)) == 0);
  endfunction

  function automatic int unsigned gcd_u(int unsigned a, int unsigned b);
    int unsigned x;
    int unsigned y;
    int unsigned t;
    x = a;
    y = b;
    for (int i = 0; i < 64; i++) begin
      if (y != 0) begin
        t = x % y;
        x = y;
        y = t;
      end
    end
    gcd_u = x;
  endfunction

  // Smallest power of two >= x.
  function automatic int unsigned pow2_ceil(int unsigned x);
    pow2_ceil = (x <= 1) ? 1 : (1 << $clog2(x));
  endfunction

  // log2 of the bytes of the longest burst a reader issues: MaxBurstBeats
  // beats, never more than one 4 KiB page. The smallest interleave chunk.
  function automatic int unsigned burst_bytes_log2(int unsigned axi_data_bits,
                                                   int unsigned max_burst_beats);
    burst_bytes_log2 = min_u($clog2(max_burst_beats) + $clog2(axi_data_bits / 8), 12);
  endfunction

endpackage

`endif  // LF_PKG_SV
