// Behavioural stand-in for the Xilinx XPM macro xpm_fifo_sync, written from
// its documented behaviour (UG974: synchronous FIFO, "fwft" read mode, read
// latency 0), for timing the calibration design without Vivado's library:
// LUT-RAM storage, binary pointers, and the first-word-fall-through output
// register that the macro's FWFT mode places after the memory.
module xpm_fifo_sync #(
  parameter integer CASCADE_HEIGHT = 0,
  parameter DOUT_RESET_VALUE = "0",
  parameter ECC_MODE = "no_ecc",
  parameter FIFO_MEMORY_TYPE = "auto",
  parameter integer FIFO_READ_LATENCY = 0,
  parameter integer FIFO_WRITE_DEPTH = 16,
  parameter integer FULL_RESET_VALUE = 0,
  parameter integer READ_DATA_WIDTH = 17,
  parameter READ_MODE = "fwft",
  parameter integer SIM_ASSERT_CHK = 0,
  parameter USE_ADV_FEATURES = "0000",
  parameter integer WAKEUP_TIME = 0,
  parameter integer WRITE_DATA_WIDTH = 17
) (
  input  wire                        wr_clk,
  input  wire                        rst,
  input  wire                        wr_en,
  input  wire [WRITE_DATA_WIDTH-1:0] din,
  input  wire                        rd_en,
  output wire [READ_DATA_WIDTH-1:0]  dout
);
  localparam integer AW = $clog2(FIFO_WRITE_DEPTH);
  reg [WRITE_DATA_WIDTH-1:0] mem [0:FIFO_WRITE_DEPTH-1];
  reg [AW:0] wptr, rptr;
  reg [READ_DATA_WIDTH-1:0] dout_q;
  reg valid_q;
  wire mem_empty = (wptr == rptr);
  wire full = (wptr[AW] != rptr[AW]) && (wptr[AW-1:0] == rptr[AW-1:0]);
  wire load = !mem_empty && (!valid_q || rd_en);
  always @(posedge wr_clk) begin
    if (wr_en && !full) mem[wptr[AW-1:0]] <= din;
    if (rst) begin
      wptr <= 0; rptr <= 0; valid_q <= 1'b0; dout_q <= 0;
    end else begin
      if (wr_en && !full) wptr <= wptr + 1'b1;
      if (load) begin
        dout_q <= mem[rptr[AW-1:0]];
        rptr <= rptr + 1'b1;
        valid_q <= 1'b1;
      end else if (rd_en) begin
        valid_q <= 1'b0;
      end
    end
  end
  assign dout = dout_q;
endmodule
