#pragma once
/* The DCDM network's architecture (Kaneda et al., ICML 2023; ayano721/2023_DCDM src/train.py), as data: every
 * forward pass (the reference kernels, the Kokkos kernels, the libtorch trainer) walks the same program built
 * from one NetSpec, so the three cannot disagree on the order of layers. PETSc-free and public: the trainer (drivers/dcdm_train) and
 * the benchmarks use it; learned/cnn/ implements it.
 *
 * The program, C channels, every conv 3x3x3 with zero "same" padding and a bias, ReLU applied BEFORE the
 * residual add (the reference's order: la = relu(conv(lb)) + la):
 *
 *   x0  = conv_in(input)                          1 -> C, no activation
 *   la  = relu(conv(x0))
 *   repeat fine_pairs-1 times:   lb = relu(conv(la));  la = relu(conv(lb)) + la
 *   lb  = relu(conv(la))                          (fine level: 2*fine_pairs convs)
 *   apa = avgpool2(lb)
 *   repeat coarse_pairs times:   apb = relu(conv(apa)); apa = relu(conv(apb)) + apa
 *   upa = upsample2(apa) + lb                     (nearest neighbour)
 *   repeat up_pairs times:       upb = relu(conv(upa)); upa = relu(conv(upb)) + upa
 *   out = head(upa)                               C -> 1, 1x1x1 conv with bias ("Dense(1)")
 *
 * from64:  fine_pairs 2, coarse_pairs 3, up_pairs 2: 14 C->C convs, 97,457 parameters at C = 16.
 * from128: fine_pairs 3, coarse_pairs 5, up_pairs 3: 22 C->C convs, 152,881 parameters at C = 16. */
#include <string>
#include <vector>

namespace petal
{
namespace cnn
{

struct NetSpec {
  std::string arch         = "from64"; // "from64", "from128" or "custom"
  int         channels     = 16;
  int         fine_pairs   = 2;
  int         coarse_pairs = 3;
  int         up_pairs     = 2;
};

NetSpec From64();
NetSpec From128();
/* "from64", "from128": the published nets (16 channels). false for any other name. */
bool SpecByName(const std::string &name, NetSpec *spec);
/* Empty when the spec is usable, else what is wrong ("channels must be in [1, 256], got 0"). */
std::string Validate(const NetSpec &spec);

/* One convolution's shape; ksize is 3 (the 3x3x3 convs) or 1 (the head). */
struct ConvShape {
  int cin, cout, ksize;
};
/* All convolutions in construction order: index 0 is conv_in (1 -> C, 3), the last is the head (C -> 1, 1). */
std::vector<ConvShape> ConvShapes(const NetSpec &spec);
long long              ParameterCount(const NetSpec &spec);
/* Floating-point operations (2 per multiply-add, plus pooling/upsampling/ReLU/adds) of one forward pass per
 * voxel of the fine grid, counting the pooled level at 1/8 of the voxels. */
double FlopsPerVoxel(const NetSpec &spec);

/* The program above as a list of steps over named activation buffers, for executors that want it as data. */
enum class Op { Conv, ConvRelu, ConvReluAdd, Pool, UpsampleAdd, Head };
enum class Level { Fine, Coarse };
struct Step {
  Op    op;
  int   conv;  // index into ConvShapes (Conv*, Head), -1 otherwise
  int   in;    // buffer read
  int   out;   // buffer written; for ConvReluAdd / UpsampleAdd out += result (out is also read)
  Level level; // grid the output lives on
};
/* Buffers: 0 = input (1 channel, fine), 1 = output (1 channel, fine), 2.. = C-channel activations; Buffers()
 * gives the level and channels of each. UpsampleAdd reads `in` (coarse) and adds its nearest-neighbour
 * upsampling into `out` (fine, which holds lb): the skip connection upa = up(apa) + lb then lives in lb's buffer. */
std::vector<Step> Program(const NetSpec &spec);
struct BufferPlan {
  int count;                   // total buffers including 0 and 1
  std::vector<Level> level;    // level of each buffer
  std::vector<int>   channels; // channels of each buffer
};
BufferPlan Buffers(const NetSpec &spec);


/* The DCDM network's parameters in memory, in the reference's (Keras) layout, on the host. The HDF5
 * file format: include/petal/dcdm_weights.hpp.
 *
 * Kernel layout: [kd][kh][kw][cin][cout], C order (Keras Conv3D), i.e. element
 *   ((((kd*k + kh)*k + kw)*cin + ci)*cout + co); cross-correlation: out(z,y,x,co) = bias[co] +
 *   sum in(z+kd-1, y+kh-1, x+kw-1, ci) * kernel[kd][kh][kw][ci][co]   (for k = 3; k = 1 has no offset).
 * Grid axes: d = z (slowest), h = y, w = x (fastest), matching petal-voxel / DMDA order. */

struct ConvWeights {
  ConvShape          shape;
  std::vector<float> kernel; // ksize^3 * cin * cout
  std::vector<float> bias;   // cout
};

struct Weights {
  NetSpec                  spec;
  std::vector<ConvWeights> convs; // ConvShapes(spec) order
};

/* Empty when w matches its spec (count and shape of every conv, sizes of kernel and bias, finite values), else
 * the first problem found, naming the conv ("conv03 kernel has 6912 values, expected 6912 ..."). */
std::string Check(const Weights &w);
/* Deterministic He-normal-like initialisation (seeded splitmix64 + Box-Muller), biases zero: tests and the
 * trainer's first epoch use it. */
Weights RandomWeights(const NetSpec &spec, unsigned long long seed);
/* Conventional name of conv i in files: "conv00", "conv01", ... (two digits; "conv23" for index 23). */
std::string ConvName(int i);

} // namespace cnn
} // namespace petal
