// The pin-level mapping between a Verilated lf_top (any design: a template
// over its model class) and the plain AXI channel structs of axi.h. Shared by
// the Verilator testbench and the SystemC system simulation, so the port
// packing of docs/rtl.md (port p at [p*W +: W]) is written once.
#pragma once

#include "sim/rtl_driver/axi.h"
#include "sim/rtl_driver/design_params.h"
#include "sim/rtl_driver/vl_signal.h"

#include <cstdint>

namespace llamaf::sim::pins {

template <class Model>
void drive_read_port(Model& top, const DesignParams& p, int i, const AxiReadSlaveOut& o) {
  const int nbytes = p.axi_data_bits / 8;
  vl::set(top.axi_arready_i, i, 1, o.arready);
  vl::set(top.axi_rvalid_i, i, 1, o.rvalid);
  vl::set(top.axi_rlast_i, i, 1, o.rlast);
  vl::set(top.axi_rresp_i, 2 * i, 2, o.rresp);
  vl::set_bytes(top.axi_rdata_i, i * nbytes, nbytes, o.rdata.data());
}

template <class Model>
void drive_write_port(Model& top, const AxiWriteSlaveOut& w) {
  top.axi_awready_i = w.awready;
  top.axi_wready_i = w.wready;
  top.axi_bvalid_i = w.bvalid;
  top.axi_bresp_i = w.bresp;
}

template <class Model>
void sample_read_port(const Model& top, const DesignParams& p, int i, AxiReadMaster& m) {
  const int A = p.axi_addr_bits;
  m.arvalid = vl::get(top.axi_arvalid_o, i, 1);
  m.araddr = vl::get(top.axi_araddr_o, i * A, A);
  m.arlen = std::uint8_t(vl::get(top.axi_arlen_o, 8 * i, 8));
  m.arsize = std::uint8_t(vl::get(top.axi_arsize_o, 3 * i, 3));
  m.arburst = std::uint8_t(vl::get(top.axi_arburst_o, 2 * i, 2));
  m.rready = vl::get(top.axi_rready_o, i, 1);
}

template <class Model>
void sample_write_port(const Model& top, const DesignParams& p, AxiWriteMaster& w) {
  const int nbytes = p.axi_data_bits / 8;
  w.awvalid = top.axi_awvalid_o;
  w.awaddr = vl::get(top.axi_awaddr_o, 0, p.axi_addr_bits);
  w.awlen = std::uint8_t(top.axi_awlen_o);
  w.awsize = std::uint8_t(top.axi_awsize_o);
  w.awburst = std::uint8_t(top.axi_awburst_o);
  w.wvalid = top.axi_wvalid_o;
  vl::get_bytes(top.axi_wdata_o, 0, nbytes, w.wdata.data());
  w.wstrb = vl::get(top.axi_wstrb_o, 0, nbytes);
  w.wlast = top.axi_wlast_o;
  w.bready = top.axi_bready_o;
}

}  // namespace llamaf::sim::pins
