// libFuzzer target: the checked-JSON config readers (sim/config/json_reader)
// and every reader built on it. The first input byte picks the reader:
//   0 design file (design_params_from_json + check_rtl_legality)
//   1 board file (board_from_json, with its DRAM "memory" section)
//   2 model shape (config_from_json)
//   3 sweep file (parse_sweep, relative paths from configs/sweeps, then
//     expansion of sweeps of up to 4096 points)
//   4 energy table (energy_table_from_json)
//   5 DRAM "memory" object alone (dram_config_from_json)
// the rest is the file, read through config::read_json_file.
#include "explorer/energy.h"
#include "explorer/sweep.h"
#include "sim/board/board.h"
#include "sim/config/json_reader.h"
#include "sim/dram/dram_config.h"
#include "sim/model/config.h"
#include "sim/rtl_driver/design_params.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const int reader = data[0] % 6;
  const std::string path = llamaf::fuzz::write_scratch("config.json", data + 1, size - 1);
  llamaf::fuzz::expect_only_errors([&] {
    const nlohmann::json j = llamaf::config::read_json_file(path);
    switch (reader) {
      case 0: {
        const auto p = llamaf::sim::design_params_from_json(j, path);
        llamaf::sim::check_rtl_legality(p, path);
        (void)llamaf::sim::rtl_json(p);
        (void)llamaf::sim::params_registers(p);
        break;
      }
      case 1:
        (void)llamaf::board::to_json(llamaf::board::board_from_json(j, path));
        break;
      case 2:
        (void)llamaf::model::to_json(llamaf::model::config_from_json(j, path));
        break;
      case 3: {
        const std::filesystem::path dir =
            std::filesystem::path(LLAMAF_SOURCE_DIR) / "configs" / "sweeps";
        const auto s = llamaf::dse::parse_sweep(j, path, dir);
        std::size_t points = 1;
        for (const auto& p : s.params) {
          points *= std::max<std::size_t>(p.values.size(), 1);
          if (points > 4096) return;  // expansion of big sweeps is not parsing
        }
        (void)llamaf::dse::expand(s);
        break;
      }
      case 4:
        (void)llamaf::dse::energy_table_from_json(j, path);
        break;
      default: {
        const auto c = llamaf::dram::dram_config_from_json(j, path, "memory");
        (void)llamaf::dram::derive_timing(c);
        break;
      }
    }
  });
  return 0;
}
