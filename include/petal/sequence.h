#pragma once
/* Sequences of linear systems A_t x = b_t (t = 0..T-1) in one HDF5 file: one sparsity pattern for every
 * instance, values, right-hand sides and optional initial guesses and contexts per instance. petal-relax
 * writes its sequences in this format (-relax_write_file) and studies any file in it (-relax_sequence file);
 * other programs can record a sequence of their own solves with the writer and replay it with the reader.
 *
 * Layout (format "petal-relax-sequence", version 1; CSR 0-based):
 *   attribute petal_format          string   "petal-relax-sequence"
 *   attribute petal_format_version  integer  1
 *   /row_ptr   integer [n + 1]    row_ptr[0] = 0, non-decreasing, row_ptr[n] = nnz
 *   /col       integer [nnz]      column indices in [0, n), strictly increasing within each row, every
 *                                 diagonal present
 *   /values    float   [T, nnz]   A_t on the pattern, finite; the diagonal non-zero (SOR divides by it)
 *   /rhs       float   [T, n]     b_t, finite
 *   /x0        float   [T, n]     optional: initial guesses (default 0), finite
 *   /context   float   [T]        optional: a scalar per instance (e.g. a diffusivity), finite (default 0)
 *   attribute context_range  float[2]  optional [a, b], a < b: the range of the contexts
 *   attribute solver         string    optional "sor" or "ssor_pcg": the solver the sequence is meant for
 *   attribute bins           integer   optional, >= 1: context bins for binned contextual learners
 *   attribute source         string    optional free text (what produced the file)
 * No other datasets or groups may be present; other attributes are ignored.
 *
 * Reading is collective and identical on every rank: PetalSequenceReaderOpen lets rank 0 check the whole
 * file (layout, dtypes, shapes, size caps before anything is allocated, the pattern, and every value of every
 * instance, streamed in blocks) and broadcasts its verdict, so a malformed file gives every rank the same
 * PETSc error naming the file and the problem. Then every rank reads its own rows (an even split,
 * PetscSplitOwnership) of the pattern and, per instance, of the values. */
#include <petscmat.h>

typedef struct _n_PetalSequenceReader *PetalSequenceReader;
typedef struct _n_PetalSequenceWriter *PetalSequenceWriter;

/* What a sequence file holds besides its instances (the attributes are hints for a study of it). */
typedef struct {
  PetscInt  n;                       /* unknowns (rows = columns) */
  PetscInt  nnz;                     /* entries of the pattern */
  PetscInt  instances;               /* T */
  PetscBool has_x0, has_context;     /* /x0 and /context present */
  PetscBool has_context_range;       /* attribute context_range present */
  PetscReal context_range[2];
  char      solver[16];              /* attribute solver, or "" */
  PetscInt  bins;                    /* attribute bins, or 0 */
  char      source[PETSC_MAX_PATH_LEN]; /* attribute source, or "" */
} PetalSequenceInfo;

/* Opens, validates and reads the pattern and contexts of a sequence file (see above). Collective. */
PETSC_EXTERN PetscErrorCode PetalSequenceReaderOpen(MPI_Comm, const char file[], PetalSequenceReader *);
PETSC_EXTERN PetscErrorCode PetalSequenceReaderGetInfo(PetalSequenceReader, PetalSequenceInfo *);
/* The T contexts (zeros without /context); an internal array valid until PetalSequenceReaderDestroy. */
PETSC_EXTERN PetscErrorCode PetalSequenceReaderGetContexts(PetalSequenceReader, const PetscReal *[]);
/* A vector with the reader's row split (for solutions of the instances). */
PETSC_EXTERN PetscErrorCode PetalSequenceReaderCreateVec(PetalSequenceReader, Vec *);
/* Instance t (any order): A_t (MPIAIJ with the reader's row split), b_t and the initial guess x0_t (zero
 * without /x0). The objects belong to the reader and hold instance t until the next Read. Collective. */
PETSC_EXTERN PetscErrorCode PetalSequenceReaderRead(PetalSequenceReader, PetscInt t, Mat *A, Vec *b, Vec *x0);
/* Not collective (closes this rank's handle and frees its objects). */
PETSC_EXTERN PetscErrorCode PetalSequenceReaderDestroy(PetalSequenceReader *);
/* Opens, validates and reads every instance of a file, then closes it: the whole reader in one collective
 * call (a fuzz target). */
PETSC_EXTERN PetscErrorCode PetalSequenceReaderCheckFile(MPI_Comm, const char file[]);

/* Writes a sequence of `instances` systems to `file` atomically (a temporary name until
 * PetalSequenceWriterCommit; removed if the writer is destroyed before, or the program fails). Rank 0 writes:
 * every Add gathers the instance's rows to it. Collective. with_x0: the file gets /x0. */
PETSC_EXTERN PetscErrorCode PetalSequenceWriterCreate(MPI_Comm, const char file[], PetscInt instances, PetscBool with_x0, PetalSequenceWriter *);
/* The next instance: A (assembled AIJ, the same pattern for every instance), b, x0 (NULL unless with_x0) and
 * its context. Values the reader would refuse (non-finite, a missing or zero diagonal) are refused here.
 * Collective. */
PETSC_EXTERN PetscErrorCode PetalSequenceWriterAdd(PetalSequenceWriter, Mat A, Vec b, Vec x0, PetscReal context);
/* Optional attributes from info: context_range (if has_context_range), solver (if not ""), bins (if > 0),
 * source (if not ""); the other fields are ignored. Before Commit. */
PETSC_EXTERN PetscErrorCode PetalSequenceWriterSetHints(PetalSequenceWriter, const PetalSequenceInfo *);
/* After `instances` Adds: writes the contexts and attributes and moves the file into place. Collective. */
PETSC_EXTERN PetscErrorCode PetalSequenceWriterCommit(PetalSequenceWriter);
/* Not collective; an uncommitted file's temporary is removed. */
PETSC_EXTERN PetscErrorCode PetalSequenceWriterDestroy(PetalSequenceWriter *);
