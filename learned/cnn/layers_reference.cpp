// Plain host loops for the DCDM layers (see layers_reference.hpp): the test oracle.
#include "learned/cnn/layers_reference.hpp"
#include <algorithm>

namespace petal
{
namespace cnn
{
namespace ref
{

template <class S>
void Conv3(const Block &b, const S *in, const ConvWeights &w, S *out, Epilogue e)
{
  const int cin = w.shape.cin, cout = w.shape.cout;
  for (int k = 1; k <= b.nz; ++k)
    for (int j = 1; j <= b.ny; ++j)
      for (int i = 1; i <= b.nx; ++i)
        for (int co = 0; co < cout; ++co) {
          double v = w.bias[co];
          for (int kd = 0; kd < 3; ++kd)
            for (int kh = 0; kh < 3; ++kh)
              for (int kw = 0; kw < 3; ++kw)
                for (int ci = 0; ci < cin; ++ci)
                  v += (double)in[GhostedIndex(b, k + kd - 1, j + kh - 1, i + kw - 1, ci, cin)] * (double)w.kernel[(((kd * 3 + kh) * 3 + kw) * cin + ci) * cout + co];
          S &o = out[GhostedIndex(b, k, j, i, co, cout)];
          if (e == Epilogue::Linear) o = (S)v;
          else if (e == Epilogue::Relu) o = (S)std::max(v, 0.0);
          else o = (S)(std::max(v, 0.0) + (double)o);
        }
}

template <class S>
void AvgPool2(const Block &fine, const S *in, int C, S *coarse_out)
{
  const Block coarse{fine.nx / 2, fine.ny / 2, fine.nz / 2};
  for (int k = 0; k < coarse.nz; ++k)
    for (int j = 0; j < coarse.ny; ++j)
      for (int i = 0; i < coarse.nx; ++i)
        for (int c = 0; c < C; ++c) {
          double s = 0;
          for (int dk = 0; dk < 2; ++dk)
            for (int dj = 0; dj < 2; ++dj)
              for (int di = 0; di < 2; ++di) s += in[GhostedIndex(fine, 2 * k + dk + 1, 2 * j + dj + 1, 2 * i + di + 1, c, C)];
          coarse_out[GhostedIndex(coarse, k + 1, j + 1, i + 1, c, C)] = (S)(s / 8);
        }
}

template <class S>
void UpsampleAdd2(const Block &fine, const S *coarse_in, int C, S *fine_out)
{
  const Block coarse{fine.nx / 2, fine.ny / 2, fine.nz / 2};
  for (int k = 0; k < fine.nz; ++k)
    for (int j = 0; j < fine.ny; ++j)
      for (int i = 0; i < fine.nx; ++i)
        for (int c = 0; c < C; ++c) fine_out[GhostedIndex(fine, k + 1, j + 1, i + 1, c, C)] += coarse_in[GhostedIndex(coarse, k / 2 + 1, j / 2 + 1, i / 2 + 1, c, C)];
}

template <class S>
void Head(const Block &b, const S *in, const ConvWeights &w, S *out_owned)
{
  const int C = w.shape.cin;
  for (int k = 0; k < b.nz; ++k)
    for (int j = 0; j < b.ny; ++j)
      for (int i = 0; i < b.nx; ++i) {
        double v = w.bias[0];
        for (int c = 0; c < C; ++c) v += (double)in[GhostedIndex(b, k + 1, j + 1, i + 1, c, C)] * (double)w.kernel[c];
        out_owned[((size_t)k * b.ny + j) * b.nx + i] = (S)v;
      }
}

template <class S>
void ScatterOwned(const Block &b, const S *owned, S *ghosted)
{
  for (int k = 0; k < b.nz; ++k)
    for (int j = 0; j < b.ny; ++j)
      for (int i = 0; i < b.nx; ++i) ghosted[GhostedIndex(b, k + 1, j + 1, i + 1, 0, 1)] = owned[((size_t)k * b.ny + j) * b.nx + i];
}

#define PETAL_CNN_REF_INSTANTIATE(S)                                                 \
  template void Conv3<S>(const Block &, const S *, const ConvWeights &, S *, Epilogue); \
  template void AvgPool2<S>(const Block &, const S *, int, S *);                      \
  template void UpsampleAdd2<S>(const Block &, const S *, int, S *);                  \
  template void Head<S>(const Block &, const S *, const ConvWeights &, S *);          \
  template void ScatterOwned<S>(const Block &, const S *, S *);
PETAL_CNN_REF_INSTANTIATE(float)
PETAL_CNN_REF_INSTANTIATE(double)
#undef PETAL_CNN_REF_INSTANTIATE

/* ---- whole-grid forward: unpadded arrays, explicit bounds checks, the architecture spelled out ---- */
namespace
{

struct Field {
  int                 nx, ny, nz, C;
  std::vector<double> v; // ((z*ny + y)*nx + x)*C + c
  Field(int nx_, int ny_, int nz_, int C_) : nx(nx_), ny(ny_), nz(nz_), C(C_), v((size_t)nx_ * ny_ * nz_ * C_, 0.0) {}
  double &at(int z, int y, int x, int c) { return v[(((size_t)z * ny + y) * nx + x) * C + c]; }
  double  get(int z, int y, int x, int c) const
  {
    if (z < 0 || z >= nz || y < 0 || y >= ny || x < 0 || x >= nx) return 0.0; // zero "same" padding
    return v[(((size_t)z * ny + y) * nx + x) * C + c];
  }
};

Field ConvK(const Field &in, const ConvWeights &w)
{
  const int k = w.shape.ksize, r = k / 2, cin = w.shape.cin, cout = w.shape.cout;
  Field     out(in.nx, in.ny, in.nz, cout);
  for (int z = 0; z < in.nz; ++z)
    for (int y = 0; y < in.ny; ++y)
      for (int x = 0; x < in.nx; ++x)
        for (int co = 0; co < cout; ++co) {
          double s = w.bias[co];
          for (int a = 0; a < k; ++a)
            for (int bb = 0; bb < k; ++bb)
              for (int c = 0; c < k; ++c)
                for (int ci = 0; ci < cin; ++ci) s += in.get(z + a - r, y + bb - r, x + c - r, ci) * (double)w.kernel[(((a * k + bb) * k + c) * cin + ci) * cout + co];
          out.at(z, y, x, co) = s;
        }
  return out;
}

Field Relu(Field f)
{
  for (double &x : f.v) x = std::max(x, 0.0);
  return f;
}

Field Add(Field a, const Field &b)
{
  for (size_t i = 0; i < a.v.size(); ++i) a.v[i] += b.v[i];
  return a;
}

Field Pool(const Field &f)
{
  Field o(f.nx / 2, f.ny / 2, f.nz / 2, f.C);
  for (int z = 0; z < o.nz; ++z)
    for (int y = 0; y < o.ny; ++y)
      for (int x = 0; x < o.nx; ++x)
        for (int c = 0; c < f.C; ++c) {
          double s = 0;
          for (int d = 0; d < 8; ++d) s += f.get(2 * z + (d >> 2), 2 * y + ((d >> 1) & 1), 2 * x + (d & 1), c);
          o.at(z, y, x, c) = s / 8;
        }
  return o;
}

Field Upsample(const Field &f)
{
  Field o(2 * f.nx, 2 * f.ny, 2 * f.nz, f.C);
  for (int z = 0; z < o.nz; ++z)
    for (int y = 0; y < o.ny; ++y)
      for (int x = 0; x < o.nx; ++x)
        for (int c = 0; c < f.C; ++c) o.at(z, y, x, c) = f.get(z / 2, y / 2, x / 2, c);
  return o;
}

} // namespace

std::vector<double> ForwardWholeGrid(const Weights &w, int nx, int ny, int nz, const std::vector<double> &input)
{
  const NetSpec &s = w.spec;
  int            n = 0; // next conv
  auto           c = [&](const Field &f) { return ConvK(f, w.convs[n++]); };
  Field          x(nx, ny, nz, 1);
  x.v = input;
  Field x0 = c(x);
  Field la = Relu(c(x0));
  Field lb(0, 0, 0, 0);
  for (int i = 1; i < s.fine_pairs; ++i) {
    lb = Relu(c(la));
    la = Add(Relu(c(lb)), la);
  }
  lb        = Relu(c(la));
  Field apa = Pool(lb);
  for (int i = 0; i < s.coarse_pairs; ++i) {
    Field apb = Relu(c(apa));
    apa       = Add(Relu(c(apb)), apa);
  }
  Field upa = Add(Upsample(apa), lb);
  for (int i = 0; i < s.up_pairs; ++i) {
    Field upb = Relu(c(upa));
    upa       = Add(Relu(c(upb)), upa);
  }
  Field out = c(upa); // the 1x1x1 head
  return out.v;
}

} // namespace ref
} // namespace cnn
} // namespace petal
