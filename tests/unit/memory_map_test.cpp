// DRAM layout of a model on a design: images placed 4 KiB aligned in
// forward-pass order, and clear errors when the model does not fit the
// design (quantization, activation buffer) or the board's memory.
#include "sim/model/config.h"
#include "sim/model/error.h"
#include "sim/model/synthetic.h"
#include "sim/rtl_driver/design_params.h"
#include "sim/system/memory_map.h"

#include <catch2/catch.hpp>

using namespace llamaf;

namespace {

model::Config small() {
  model::Config c;
  c.dim = 64;
  c.hidden_dim = 192;
  c.n_layers = 2;
  c.n_heads = 4;
  c.n_kv_heads = 2;
  c.vocab_size = 100;
  c.seq_len = 16;
  return c;
}

sim::DesignParams design() {
  sim::DesignParams p;  // unnamed: assigning a short literal trips a GCC 12 -Wrestrict false positive
  p.weight_bits = 8;
  p.act_bits = 8;
  p.group_size = 64;
  p.act_buf_cols = 256;
  return p;
}

}  // namespace

TEST_CASE("weight images are placed aligned and account for every byte", "[system]") {
  const sim::DesignParams p = design();
  const model::Transformer t = model::make_synthetic_transformer(small(), 1, p.quant_spec());
  const sim::MemoryMap map(t, p, 1ull << 32);
  std::int64_t sum = 0;
  std::uint64_t prev_end = 0;
  const auto& L = t.weights().layers;
  for (const model::Linear* l : {L[0].wq.get(), L[0].wk.get(), L[0].wv.get(), L[0].wo.get(),
                                 L[0].w1.get(), L[0].w3.get(), L[0].w2.get()}) {
    const sim::MatrixImage& img = map.image(l);
    CHECK(img.addr % sim::MemoryMap::kAlign == 0);
    CHECK(img.addr >= prev_end);
    prev_end = img.addr + std::uint64_t(img.layout.total_bytes);
    CHECK(img.layout.rows == l->rows());
    sum += img.layout.total_bytes;
  }
  CHECK(sum < map.weight_bytes());  // layer 1 and the classifier follow
  CHECK(map.kv_addr(1, 0) - map.kv_addr(0, 0) == 16u * 2 * 4 * 32);  // seq_len x (K, V) x kv_dim floats
  CHECK(map.end() % sim::MemoryMap::kAlign == 0);
}

TEST_CASE("a model that does not fit the design or the board is refused with the reason", "[system]") {
  const sim::DesignParams p = design();
  SECTION("quantized differently from the design") {
    const model::Transformer t =
        model::make_synthetic_transformer(small(), 1, model::QuantSpec::parse("w4a8g64"));
    CHECK_THROWS_WITH(sim::MemoryMap(t, p, 1ull << 32),
                      Catch::Contains("w4a8g64") && Catch::Contains("computes w8a8g64"));
  }
  SECTION("float weights") {
    const model::Transformer t = model::make_synthetic_transformer(small(), 1, std::nullopt);
    CHECK_THROWS_WITH(sim::MemoryMap(t, p, 1ull << 32), Catch::Contains("not quantized"));
  }
  SECTION("a row longer than the activation buffer") {
    sim::DesignParams narrow = p;
    narrow.act_buf_cols = 128;  // w2 has 192 columns
    const model::Transformer t = model::make_synthetic_transformer(small(), 1, p.quant_spec());
    CHECK_THROWS_WITH(sim::MemoryMap(t, narrow, 1ull << 32),
                      Catch::Contains("w2") && Catch::Contains("ActBufCols = 128"));
  }
  SECTION("more DRAM than the board has") {
    const model::Transformer t = model::make_synthetic_transformer(small(), 1, p.quant_spec());
    CHECK_THROWS_WITH(sim::MemoryMap(t, p, 64 * 1024), Catch::Contains("GiB of DRAM"));
  }
}

TEST_CASE("shape-only checks need no weights and give the constructor's messages", "[system]") {
  // Llama-2-7B on the wide design: w2's 11008 columns exceed ActBufCols;
  // found from the shape alone (the 2-minute, 11 GB case).
  const model::Config l7 = model::load_shape(std::string(LLAMAF_SOURCE_DIR) + "/configs/models/llama-2-7b.json");
  const sim::DesignParams wide = sim::load_design_params(std::string(LLAMAF_SOURCE_DIR) + "/configs/designs/wide.json");
  CHECK_THROWS_WITH(sim::MemoryMap::check_shape(l7, wide, 4ull << 30),
                    Catch::Contains("layer 0 w2: 11008 columns exceed") && Catch::Contains("ActBufCols = 5632"));
  // An image larger than the board's memory.
  sim::DesignParams big = wide;
  big.act_buf_cols = 11008 / 128 * 128 + 128;
  CHECK_THROWS_WITH(sim::MemoryMap::check_shape(l7, big, 4ull << 30), Catch::Contains("GiB of DRAM"));
  // A shape that fits: the same bytes as the layout built from real weights.
  const sim::DesignParams p = design();
  const model::Transformer t = model::make_synthetic_transformer(small(), 1, p.quant_spec());
  const sim::MemoryMap map(t, p, 1ull << 30);
  CHECK(sim::MemoryMap::check_shape(small(), p, 1ull << 30) == map.end());
  CHECK_THROWS_WITH(sim::MemoryMap::check_shape(small(), p, map.end() - 4096), Catch::Contains("GiB of DRAM"));
}
