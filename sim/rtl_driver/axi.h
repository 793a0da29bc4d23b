// Plain AXI4 channel signals of one port, independent of Verilator or
// SystemC, so the memory models and the protocol checker can serve both the
// Verilator testbench and the SystemC harness. Data is little-endian bytes:
// byte i of `data` is bits [8i +: 8] of the AXI data bus.
#pragma once

#include <array>
#include <cstdint>

namespace llamaf::sim {

inline constexpr int kAxiMaxDataBytes = 64;  // AxiDataBits <= 512
inline constexpr std::uint8_t kAxiBurstIncr = 1;
inline constexpr std::uint8_t kAxiRespOkay = 0;
inline constexpr std::uint8_t kAxiRespSlvErr = 2;

using AxiData = std::array<std::uint8_t, kAxiMaxDataBytes>;

// Static shape of one port.
struct AxiPortShape {
  int data_bits = 128;
  int addr_bits = 40;
  int data_bytes() const { return data_bits / 8; }
};

// Read channel, master to slave (sampled before the clock edge).
struct AxiReadMaster {
  bool arvalid = false;
  std::uint64_t araddr = 0;
  std::uint8_t arlen = 0;    // beats - 1
  std::uint8_t arsize = 0;   // log2(bytes per beat)
  std::uint8_t arburst = 0;  // 1 = INCR
  bool rready = false;
};

// Read channel, slave to master.
struct AxiReadSlaveOut {
  bool arready = false;
  bool rvalid = false;
  AxiData rdata{};
  std::uint8_t rresp = 0;
  bool rlast = false;
};

// Write channel, master to slave.
struct AxiWriteMaster {
  bool awvalid = false;
  std::uint64_t awaddr = 0;
  std::uint8_t awlen = 0;
  std::uint8_t awsize = 0;
  std::uint8_t awburst = 0;
  bool wvalid = false;
  AxiData wdata{};
  std::uint64_t wstrb = 0;  // bit i strobes byte i
  bool wlast = false;
  bool bready = false;
};

// Write channel, slave to master.
struct AxiWriteSlaveOut {
  bool awready = false;
  bool wready = false;
  bool bvalid = false;
  std::uint8_t bresp = 0;
};

}  // namespace llamaf::sim
