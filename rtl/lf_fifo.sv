// Synchronous first-word-fall-through FIFO. Small FIFOs keep their storage in
// flops/LUTRAM with an asynchronous read (push-to-valid latency 1); large ones
// use lf_ram_1r1w (block RAM) with the RAM's read register as the head
// (push-to-valid latency 2). Capacity is exactly Depth in both cases.
// The caller must not push when full_o nor pop when !valid_o.

`include "lf_pkg.sv"

module lf_fifo #(
  parameter int unsigned Width = 32,
  parameter int unsigned Depth = 4,
  localparam int unsigned CntBits = $clog2(Depth + 1)
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               push_i,
  input  logic [Width-1:0]   wdata_i,
  input  logic               pop_i,
  output logic               valid_o,
  output logic [Width-1:0]   rdata_o,
  output logic               full_o,
  output logic [CntBits-1:0] count_o
);

  localparam int unsigned PtrBits = lf_pkg::clog2_min1(Depth);
  // Block RAM only when it is worth a BRAM18 and deep enough.
  localparam bit UseRam = (Depth >= 32) && (Width * Depth >= 8192);

  logic [PtrBits-1:0] wptr_d, wptr_q, rptr_d, rptr_q;
  logic [CntBits-1:0] cnt_d, cnt_q;

  function automatic logic [PtrBits-1:0] ptr_inc(logic [PtrBits-1:0] p);
    ptr_inc = (p == PtrBits'(Depth - 1)) ? '0 : p + 1'b1;
  endfunction

  assign full_o  = (cnt_q == CntBits'(Depth));
  assign count_o = cnt_q;

  always_comb begin
    cnt_d = cnt_q;
    if (push_i && !pop_i) begin
      cnt_d = cnt_q + 1'b1;
    end else if (!push_i && pop_i) begin
      cnt_d = cnt_q - 1'b1;
    end
  end

  always_comb begin
    wptr_d = wptr_q;
    if (push_i) begin
      wptr_d = ptr_inc(wptr_q);
    end
  end

  if (UseRam) begin : gen_ram
    // Head in the RAM's read register; ram_cnt counts words not yet read out.
    logic [CntBits-1:0] ram_cnt_d, ram_cnt_q;
    logic               head_valid_d, head_valid_q;
    logic               re;

    assign re = (ram_cnt_q != '0) && (!head_valid_q || pop_i);

    always_comb begin
      rptr_d = rptr_q;
      if (re) begin
        rptr_d = ptr_inc(rptr_q);
      end
      ram_cnt_d = ram_cnt_q + CntBits'(push_i) - CntBits'(re);
      head_valid_d = head_valid_q;
      if (re) begin
        head_valid_d = 1'b1;
      end else if (pop_i) begin
        head_valid_d = 1'b0;
      end
    end

    always_ff @(posedge clk_i) begin
      if (!rst_ni) begin
        ram_cnt_q    <= '0;
        head_valid_q <= 1'b0;
      end else begin
        ram_cnt_q    <= ram_cnt_d;
        head_valid_q <= head_valid_d;
      end
    end

    lf_ram_1r1w #(
      .Width(Width),
      .Depth(Depth)
    ) u_ram (
      .clk_i  (clk_i),
      .we_i   (push_i),
      .waddr_i(wptr_q),
      .wdata_i(wdata_i),
      .re_i   (re),
      .raddr_i(rptr_q),
      .rdata_o(rdata_o)
    );

    assign valid_o = head_valid_q;

  end else begin : gen_flops
    logic [Width-1:0] mem_q [0:Depth-1];

    always_comb begin
      rptr_d = rptr_q;
      if (pop_i) begin
        rptr_d = ptr_inc(rptr_q);
      end
    end

    // Storage array: written in place (no reset, datapath).
    always_ff @(posedge clk_i) begin
      if (push_i) begin
        mem_q[wptr_q] <= wdata_i;
      end
    end

    assign rdata_o = mem_q[rptr_q];
    assign valid_o = (cnt_q != '0);
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      wptr_q <= '0;
      rptr_q <= '0;
      cnt_q  <= '0;
    end else begin
      wptr_q <= wptr_d;
      rptr_q <= rptr_d;
      cnt_q  <= cnt_d;
    end
  end

  if (Depth < 2) begin : gen_depth_check
    $fatal(1, "lf_fifo: Depth must be >= 2");
  end

`ifndef SYNTHESIS
  // pragma translate_off
  PushWhenFull: assert property (@(posedge clk_i) disable iff (!rst_ni) !(push_i && full_o && !pop_i))
    else $error("lf_fifo: push when full");
  PopWhenEmpty: assert property (@(posedge clk_i) disable iff (!rst_ni) !(pop_i && !valid_o))
    else $error("lf_fifo: pop when empty");
  // pragma translate_on
`endif

endmodule
