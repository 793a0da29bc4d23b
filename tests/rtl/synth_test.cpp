// explorer/synth: cell classification, design parameters, and the Yosys flow
// with its cache on a tiny stand-in RTL folder (the real lf_top takes minutes).
#include "explorer/synth.h"

#include "sim/model/error.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace llamaf::dse;
namespace fs = std::filesystem;

namespace {

// A fresh folder under the build tree, removed at the end of the test.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::path(LLAMAF_BINARY_DIR) / "tmp" / (name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write(const fs::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
}

}  // namespace

TEST_CASE("Yosys cells are grouped into FPGA resources", "[synth]") {
  const SynthResources r = classify_cells({{"LUT2", 10}, {"LUT6", 5}, {"FDRE", 7}, {"FDCE", 1},
                                           {"DSP48E2", 3}, {"RAMB36E2", 2}, {"RAMB18E2", 1},
                                           {"RAM64M", 2}, {"RAM32X1D", 1}, {"SRLC32E", 4},
                                           {"CARRY8", 6}, {"MUXF7", 9}});
  CHECK(r.lut == 15);
  CHECK(r.ff == 8);
  CHECK(r.dsp == 3);
  CHECK(r.bram36 == 2);
  CHECK(r.bram18 == 1);
  CHECK(r.lutram == 2 * 4 + 2);
  CHECK(r.srl == 4);
  CHECK(r.carry == 6);
  CHECK(r.cells.at("MUXF7") == 9);
  CHECK(resources_from_json(to_json(r), "test") == r);
}

TEST_CASE("design parameters are read by the one design reader, legality checked", "[synth]") {
  const nlohmann::json j = {{"name", "x"}, {"rtl", {{"NumPe", 16}, {"WeightBits", 4}, {"ScaleFmt", "bf16"}}}};
  const auto p = rtl_parameters(j, "x.json");
  // The parameters that differ from lf_top's defaults, sorted by name,
  // whether or not the file spells them out.
  REQUIRE(p.size() == 2);
  CHECK(p[0] == std::pair<std::string, std::int64_t>{"ScaleFmt", 2});
  CHECK(p[1] == std::pair<std::string, std::int64_t>{"WeightBits", 4});
  CHECK(rtl_parameters(nlohmann::json{{"rtl", {{"NumPe", 32}, {"GroupSize", 256}}}}, "d.json") ==
        std::vector<std::pair<std::string, std::int64_t>>{{"NumPe", 32}});
  CHECK_THROWS_WITH(rtl_parameters(nlohmann::json{{"rtl", {{"NumPe", "many"}}}}, "y.json"),
                    Catch::Contains("y.json") && Catch::Contains("rtl.NumPe"));
  // Other spellings and other keys are refused, not ignored.
  CHECK_THROWS_WITH(rtl_parameters(nlohmann::json{{"num_pe", 16}}, "z.json"),
                    Catch::Contains("z.json: num_pe") && Catch::Contains("unknown key"));
  CHECK_THROWS_WITH(rtl_parameters(nlohmann::json{{"board", "zcu102"}}, "z.json"),
                    Catch::Contains("z.json: board") && Catch::Contains("unknown key"));
  CHECK_THROWS_WITH(rtl_parameters(nlohmann::json{{"rtl", {{"NumPe", 3}}}}, "z.json"),
                    Catch::Contains("rtl.NumPe = 3") && Catch::Contains("power of two"));
}

TEST_CASE("synthesize runs Yosys once and then answers from the cache", "[synth]") {
  TempDir dir("synth_test");
  const fs::path rtl = dir.path / "rtl";
  fs::create_directories(rtl);
  write(rtl / "lf_pkg.sv", "package lf_pkg;\n  localparam int unsigned ONE = 1;\nendpackage\n");
  write(rtl / "lf_top.sv",
        "module lf_top #(parameter int unsigned NumPe = 2) (\n"
        "  input logic clk_i, input logic [8*NumPe-1:0] a_i, b_i,\n"
        "  output logic [16*NumPe-1:0] y_o);\n"
        "  for (genvar i = 0; i < NumPe; i++) begin : gen_pe\n"
        "    always_ff @(posedge clk_i)\n"
        "      y_o[16*i +: 16] <= y_o[16*i +: 16] + a_i[8*i +: 8] * b_i[8*i +: 8] + 16'(lf_pkg::ONE);\n"
        "  end\n"
        "endmodule\n");
  const fs::path design = dir.path / "tiny.json";
  write(design, R"({"name": "tiny", "rtl": {"NumPe": 4}})");
  SynthOptions opt;
  opt.rtl_dir = rtl;
  opt.cache_dir = dir.path / "cache";
  const SynthResult a = synthesize(design, opt);
  CHECK_FALSE(a.from_cache);
  CHECK(a.design == "tiny");
  CHECK(a.resources.ff == 64);  // 4 PEs x 16-bit accumulators
  CHECK(a.resources.dsp + a.resources.lut > 0);
  const SynthResult b = synthesize(design, opt);
  CHECK(b.from_cache);
  CHECK(b.key == a.key);
  CHECK(b.resources == a.resources);

  // Another parameter value or a changed source is another cache entry.
  write(design, R"({"name": "tiny", "rtl": {"NumPe": 1}})");
  const SynthResult c = synthesize(design, opt);
  CHECK_FALSE(c.from_cache);
  CHECK(c.key != a.key);
  CHECK(c.resources.ff == 16);

  write(rtl / "lf_broken.sv", "module lf_broken(; endmodule\n");
  CHECK_THROWS_WITH(synthesize(design, opt), Catch::Contains("yosys failed"));
}
