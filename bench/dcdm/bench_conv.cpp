// Benchmark of the DCDM network's Kokkos inference (learned/cnn), PETSc-free:
//
//  1. float32 GEMM peak: KokkosBlas::gemm of two n x n matrices (n = 2048), i.e. the BLAS TPL's sgemm: the
//     ceiling the im2col convolution's GEMM can reach on this machine.
//  2. One 3x3x3 convolution C -> C (C = 16) + bias + ReLU + residual add on an N^3 block (N = 32, 64, 128) in
//     float, for each algorithm: im2col + GEMM and shifted GEMM at several tile heights, and the direct kernel. GFLOP/s counts
//     2*27*C*C flops per cell (multiply-adds only), and the fraction of the measured GEMM peak.
//  3. The whole from64 forward (Forward<float>, ConvAlgorithm::Fast) per application on N^3, with its
//     Flops() rate.
// Each timing is the median and the best of `reps` runs after one warm-up run (rates use the best: the machine
// may be shared), plus the process's CPU time.
//
// Usage: bench_conv [-sizes 32,64,128] [-reps 5] [-gemm_n 2048] [-tiles 256,512,1024,2048,4096]
//                   [-channels 16] [-forward_sizes 32,64,128] [-direct_max 64] [-json FILE]
// (the direct kernel, several times slower on CPUs, is timed up to N = direct_max only)
// Threads: Kokkos runs its Serial space; the GEMM uses the BLAS's threads (OPENBLAS_NUM_THREADS).
#include <petal/cnn.hpp>
#include <petal/kokkos_spaces.hpp>
#include "learned/cnn/conv_kokkos.hpp"
#include "learned/cnn/forward.hpp"
#include <KokkosBlas3_gemm.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

using namespace petal;
using namespace petal::cnn;

namespace
{

struct Timing {
  double median, best, cpu; // wall seconds (median, best) and the process's CPU seconds per call (median)
};

double CpuSeconds()
{
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* On a machine shared with other jobs the wall time includes waiting for a core; the CPU time does not (with
 * one BLAS thread it is the compute time; with several it also counts the BLAS threads' spinning). */
Timing Time(const std::function<void()> &f, int reps)
{
  f(); // warm-up: first-touch of workspaces, BLAS thread start
  Kokkos::fence();
  std::vector<double> t, c;
  for (int r = 0; r < reps; ++r) {
    const double c0 = CpuSeconds();
    const auto   t0 = std::chrono::steady_clock::now();
    f();
    Kokkos::fence();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    c.push_back(CpuSeconds() - c0);
  }
  std::sort(t.begin(), t.end());
  std::sort(c.begin(), c.end());
  return {t[t.size() / 2], t[0], c[c.size() / 2]};
}

std::vector<int> ParseList(const char *s)
{
  std::vector<int> v;
  for (const char *p = s; *p;) {
    v.push_back(std::atoi(p));
    p = std::strchr(p, ',');
    if (!p) break;
    ++p;
  }
  return v;
}

template <class V>
void FillRandom(const V &v, unsigned seed)
{
  auto     h = Kokkos::create_mirror_view(v);
  unsigned s = seed;
  for (size_t i = 0; i < h.size(); ++i) {
    s          = s * 1664525u + 1013904223u;
    h.data()[i] = (float)((s >> 8) * (1.0 / 16777216.0) - 0.5);
  }
  Kokkos::deep_copy(v, h);
}

struct Row {
  std::string what;
  int         n;
  double      seconds, best, cpu, gflops, frac_peak;
};

} // namespace

int main(int argc, char **argv)
{
  std::vector<int> sizes = {32, 64, 128}, fsizes = {32, 64, 128}, tiles = {256, 512, 1024, 2048, 4096};
  int              reps = 5, gemm_n = 2048, C = 16, direct_max = 64;
  const char      *json = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string a    = argv[i];
    const char       *next = i + 1 < argc ? argv[i + 1] : nullptr;
    if (!next) {
      std::fprintf(stderr, "bench_conv: option %s needs a value\n", a.c_str());
      return 2;
    }
    if (a == "-sizes") sizes = ParseList(next);
    else if (a == "-forward_sizes") fsizes = ParseList(next);
    else if (a == "-tiles") tiles = ParseList(next);
    else if (a == "-reps") reps = std::max(1, std::atoi(next));
    else if (a == "-gemm_n") gemm_n = std::atoi(next);
    else if (a == "-channels") C = std::atoi(next);
    else if (a == "-direct_max") direct_max = std::atoi(next);
    else if (a == "-json") json = next;
    else {
      std::fprintf(stderr, "bench_conv: unknown option %s\n", a.c_str());
      return 2;
    }
    ++i;
  }
  Kokkos::ScopeGuard kokkos(argc, argv);
  const char        *blas_threads = std::getenv("OPENBLAS_NUM_THREADS");
  std::printf("Kokkos execution space %s; OPENBLAS_NUM_THREADS=%s\n", ExecSpace::name(), blas_threads ? blas_threads : "(unset)");

  // 1. GEMM peak
  double peak = 0;
  {
    using M = Kokkos::View<float **, Kokkos::LayoutRight, MemSpace>;
    M A("A", gemm_n, gemm_n), B("B", gemm_n, gemm_n), Cm("C", gemm_n, gemm_n);
    FillRandom(A, 1);
    FillRandom(B, 2);
    const Timing t = Time([&] { KokkosBlas::gemm("N", "N", 1.0f, A, B, 0.0f, Cm); }, reps);
    peak           = 2.0 * gemm_n * gemm_n * (double)gemm_n / t.best / 1e9;
    std::printf("\nfloat32 GEMM %d^3: median %.4f s, best %.4f s, CPU %.4f s: peak %.1f GFLOP/s (best)\n", gemm_n, t.median, t.best, t.cpu, peak);
  }

  // 2. one conv C -> C
  std::vector<Row> rows;
  std::printf("\n3x3x3 conv %d->%d + bias + ReLU + add, float; GFLOP/s and %% of the GEMM peak from the best time\n%-22s %6s %12s %12s %10s %10s %8s\n", C, C, "algorithm",
              "N", "median [s]", "best [s]", "CPU [s]", "GFLOP/s", "% peak");
  for (int n : sizes) {
    const Block          b{n, n, n};
    Buffer<float>        in("in", b.Ghosted() * C), out("out", b.Ghosted() * C);
    FillRandom(in, 3);
    const Weights        w  = RandomWeights(From64(), 1);
    ConvWeights          cw = w.convs[1];
    if (C != 16) {
      NetSpec s  = From64();
      s.arch     = "custom";
      s.channels = C;
      cw         = RandomWeights(s, 1).convs[1];
    }
    const auto   dw    = UploadConv<float, MemSpace>(cw);
    const double flops = 2.0 * 27 * C * C * (double)b.Owned();
    auto         add   = [&](const std::string &what, const Timing &t) {
      const double g = flops / t.best / 1e9;
      rows.push_back({what, n, t.median, t.best, t.cpu, g, g / peak});
      std::printf("%-22s %6d %12.5f %12.5f %10.5f %10.1f %7.1f%%\n", what.c_str(), n, t.median, t.best, t.cpu, g, 100 * g / peak);
      std::fflush(stdout);
    };
    for (int tile : tiles) {
      kk::ConvIm2colGemm<float, ExecSpace> conv(tile);
      add("im2col+gemm tile " + std::to_string(tile), Time([&] { conv(ExecSpace(), b, in, dw, out, Epilogue::ReluAdd); }, reps));
    }
    for (int tile : tiles) {
      kk::ConvShiftGemm<float, ExecSpace> conv(tile);
      add("shifted gemm tile " + std::to_string(tile), Time([&] { conv(ExecSpace(), b, in, dw, out, Epilogue::ReluAdd); }, reps));
    }
    if (n <= direct_max) add("direct", Time([&] { kk::ConvDirect<float>(ExecSpace(), b, in, dw, out, Epilogue::ReluAdd); }, reps));
  }

  // 3. whole from64 forward
  std::printf("\nfrom64 forward, Forward<float> Fast (shifted gemm, default tile %d)\n%6s %12s %12s %10s %10s %14s\n", kk::ConvShiftGemm<float, ExecSpace>::DefaultTileRows(), "N", "median [s]",
              "best [s]", "CPU [s]", "GFLOP/s", "ns per cell");
  struct FRow {
    int    n;
    double seconds, best, cpu, gflops;
  };
  std::vector<FRow> frows;
  for (int n : fsizes) {
    const Block    b{n, n, n};
    Forward<float> f(RandomWeights(From64(), 7), b, nullptr, ConvAlgorithm::Fast);
    Buffer<float>  in("in", b.Owned()), out("out", b.Owned());
    FillRandom(in, 4);
    const Timing t = Time([&] { f.Apply(in, out); }, std::max(1, reps / (n >= 128 ? 2 : 1)));
    const double g = f.Flops() / t.best / 1e9;
    frows.push_back({n, t.median, t.best, t.cpu, g});
    std::printf("%6d %12.4f %12.4f %10.4f %10.1f %14.1f\n", n, t.median, t.best, t.cpu, g, 1e9 * t.best / b.Owned());
    std::fflush(stdout);
  }

  if (json) {
    FILE *fp = std::fopen(json, "w");
    if (!fp) {
      std::fprintf(stderr, "bench_conv: cannot write %s\n", json);
      return 1;
    }
    std::fprintf(fp, "{\n  \"exec_space\": \"%s\",\n  \"openblas_num_threads\": \"%s\",\n  \"gemm\": {\"n\": %d, \"gflops\": %.3f},\n  \"conv\": [\n", ExecSpace::name(),
                 blas_threads ? blas_threads : "", gemm_n, peak);
    for (size_t i = 0; i < rows.size(); ++i)
      std::fprintf(fp, "    {\"algorithm\": \"%s\", \"n\": %d, \"channels\": %d, \"seconds\": %.6g, \"best\": %.6g, \"cpu\": %.6g, \"gflops\": %.3f, \"fraction_of_gemm_peak\": %.4f}%s\n", rows[i].what.c_str(),
                   rows[i].n, C, rows[i].seconds, rows[i].best, rows[i].cpu, rows[i].gflops, rows[i].frac_peak, i + 1 < rows.size() ? "," : "");
    std::fprintf(fp, "  ],\n  \"forward_from64\": [\n");
    for (size_t i = 0; i < frows.size(); ++i)
      std::fprintf(fp, "    {\"n\": %d, \"seconds\": %.6g, \"best\": %.6g, \"cpu\": %.6g, \"gflops\": %.3f}%s\n", frows[i].n, frows[i].seconds, frows[i].best, frows[i].cpu, frows[i].gflops, i + 1 < frows.size() ? "," : "");
    std::fprintf(fp, "  ]\n}\n");
    std::fclose(fp);
    std::printf("\nwrote %s\n", json);
  }
  return 0;
}
