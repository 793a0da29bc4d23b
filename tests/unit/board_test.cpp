// Board descriptions: the shipped configs/boards load and agree with their
// data sheets; malformed boards fail with the file and key path named.
#include "sim/board/board.h"
#include "sim/dram/dram_system.h"
#include "sim/config/json_reader.h"
#include "sim/model/error.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

using namespace llamaf;

namespace {

std::string board_path(const std::string& name) {
  return std::string(LLAMAF_SOURCE_DIR) + "/configs/boards/" + name + ".json";
}

std::string error_of(const nlohmann::json& j) {
  try {
    board::board_from_json(j, "test.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("the ZCU102 board loads with its data-sheet values", "[board]") {
  const board::Board b = board::load_board(board_path("zcu102"));
  CHECK(b.name == "zcu102");
  CHECK(b.resources.lut == 274080);
  CHECK(b.resources.ff == 548160);
  CHECK(b.resources.dsp == 2520);
  CHECK(b.resources.bram36 == 912);
  CHECK(b.resources.bram18() == 1824);
  CHECK(b.resources.uram == 0);
  CHECK(b.fabric.hp_ports == 4);
  CHECK(b.fabric.hp_port_data_bits == 128);
  CHECK(b.fabric.hp_port_max_burst_beats == 16);
  CHECK(b.host.cores == 4);
  CHECK(b.host.core_clock_mhz == Approx(1200.0));
  // 4 GB single rank on a 64-bit bus, organised as the psu_init address map
  // says: 4 bank groups x 4 banks, 32 K rows of 8 KB; DDR4-2133 (board preset).
  CHECK(b.memory.capacity_bytes() == 4ull << 30);
  CHECK(b.memory.bank_groups == 4);
  CHECK(b.memory.banks_per_group == 4);
  CHECK(b.memory.peak_bandwidth_gbps() == Approx(17.064));
  const dram::DramTiming t = dram::derive_timing(b.memory);
  CHECK(t.CL == 15);
  CHECK(t.tRCD == 15);
  CHECK(t.tRP == 15);
  CHECK(t.tCCD_L == 6);
  // The PS path: six 128-bit PL ports plus the APU, HP1 and HP2 on one XPI.
  CHECK(b.ps.ports.size() == 7);
  CHECK(b.ps.ports[std::size_t(b.ps.port_index("HP1"))].xpi ==
        b.ps.ports[std::size_t(b.ps.port_index("HP2"))].xpi);
  CHECK(b.sources.contains("ps.request_latency_ns"));
  // Every number in the file carries a source.
  for (const char* key : {"resources.lut", "memory.timing.tRFC_ns", "memory.row_bytes",
                          "host.core_clock_mhz", "power.pl_static_w", "fabric.hp_ports"})
    CHECK(b.sources.contains(key));
  // The memory section builds a working DRAM model.
  dram::DramSystem mem(b.memory);
  REQUIRE(mem.try_enqueue({0, 64, false, 0, 0}));
  dram::DramCompletion d;
  while (!mem.pop_completion(d)) mem.tick();
  CHECK(d.done_cycle == static_cast<std::uint64_t>(t.tRCD + t.CL + t.tBL));
}

TEST_CASE("the ZCU102 DDR4-2400 variant differs only in the DRAM speed bin", "[board]") {
  const board::Board a = board::load_board(board_path("zcu102"));
  const board::Board b = board::load_board(board_path("zcu102_ddr4_2400"));
  CHECK(b.memory.data_rate_mts == 2400);
  CHECK(b.memory.peak_bandwidth_gbps() == Approx(19.2));
  CHECK(dram::derive_timing(b.memory).CL == 17);
  CHECK(b.memory.capacity_bytes() == a.memory.capacity_bytes());
  CHECK(dram::to_json(b.ps) == dram::to_json(a.ps));
}

TEST_CASE("the KV260 board loads with its data-sheet values", "[board]") {
  const board::Board b = board::load_board(board_path("kv260"));
  CHECK(b.name == "kv260");
  CHECK(b.resources.lut == 117120);
  CHECK(b.resources.ff == 234240);
  CHECK(b.resources.dsp == 1248);
  CHECK(b.resources.bram36 == 144);
  CHECK(b.resources.uram == 64);
  CHECK(b.host.core_clock_mhz == Approx(1333.0));
  CHECK(b.memory.data_rate_mts == 2400);
  CHECK(b.memory.bus_width_bits == 64);
  CHECK(b.memory.capacity_bytes() == 4ull << 30);
  // Round trip through to_json keeps the values.
  const nlohmann::json j = board::to_json(b);
  CHECK(j["resources"]["uram"] == 64);
  CHECK(j["memory"]["timing"]["tREFI_ns"] == 7800.0);
}

TEST_CASE("board errors name the file and the key path", "[board]") {
  const nlohmann::json good = dram::read_json_file(board_path("zcu102"));
  REQUIRE(error_of(good) == "no error");
  using Catch::Matchers::Contains;

  nlohmann::json j = good;
  j["resources"].erase("lut");
  CHECK_THAT(error_of(j), Contains("test.json: resources.lut") && Contains("missing"));
  j = good;
  j["host"]["core_clock_ghz"] = 1.2;
  CHECK_THAT(error_of(j), Contains("test.json: host.core_clock_ghz") && Contains("unknown"));
  j = good;
  j["host"]["cores_used"] = 8;
  CHECK_THAT(error_of(j), Contains("host.cores_used") && Contains("[1, 4]"));
  j = good;
  j["power"]["pl_static_w"] = -1;
  CHECK_THAT(error_of(j), Contains("power.pl_static_w"));
  j = good;
  j["power"]["sources"]["pl_static"] = "typo";
  CHECK_THAT(error_of(j), Contains("power.sources.pl_static") && Contains("names no key"));
  j = good;
  j["memory"]["timing"]["tRFC_ns"] = "350";
  CHECK_THAT(error_of(j), Contains("test.json: memory.timing.tRFC_ns") && Contains("number"));
  j = good;
  j["memory"]["controller"]["read_queue_depth"] = 0;
  CHECK_THAT(error_of(j), Contains("test.json: memory.controller.read_queue_depth"));
  j = good;
  j["fabric"]["hp_port_data_bits"] = 100;
  CHECK_THAT(error_of(j), Contains("fabric.hp_port_data_bits"));
  j = good;
  j["fabric"]["hp_port_ddrc_ports"] = {3, 4};
  CHECK_THAT(error_of(j), Contains("fabric.hp_port_ddrc_ports"));
  j = good;
  j["extra"] = 1;
  CHECK_THAT(error_of(j), Contains("test.json: extra") && Contains("unknown"));
  j = good;
  j.erase("memory");
  CHECK_THAT(error_of(j), Contains("test.json: memory") && Contains("missing"));

  CHECK_THROWS_WITH(board::load_board("/nonexistent/b.json"), Contains("/nonexistent/b.json"));
}
