"""The names of ``torch.*`` a learner meets, as PyTorch's own docs index lists them.

The sections of PyTorch's docs index for the ``torch`` namespace (docs/source/torch.md)
that a training script draws on, each with the functions and classes its autosummary
tables list; left out: sparse, quantized, spectral, foreach, symbolic-number, export,
compile and accelerator sections. ``EXTRA`` holds the names of the tensor-attribute
pages and the submodules a tutorial uses (dtypes, device, legacy constructors,
torch.cuda / torch.utils.data / torch.autograd), which that index does not list.
"""

INDEX: dict[str, str] = {
    "Tensors": "is_tensor is_storage is_complex is_conj is_floating_point is_nonzero "
    "set_default_dtype get_default_dtype set_default_device get_default_device "
    "numel set_printoptions",
    "Creation": "tensor asarray as_tensor as_strided from_numpy frombuffer zeros zeros_like ones "
    "ones_like arange range linspace logspace eye empty empty_like empty_strided full "
    "full_like complex polar heaviside",
    "Indexing, slicing, joining": "adjoint argwhere cat concat concatenate conj chunk dsplit "
    "column_stack dstack gather hsplit hstack index_add index_copy "
    "index_reduce index_select masked_select movedim moveaxis "
    "narrow narrow_copy nonzero permute reshape row_stack select "
    "scatter diagonal_scatter select_scatter slice_scatter "
    "scatter_add scatter_reduce split squeeze stack swapaxes "
    "swapdims t take take_along_dim tensor_split tile transpose "
    "unbind unravel_index unsqueeze vsplit vstack where",
    "Random sampling": "Generator seed manual_seed initial_seed get_rng_state set_rng_state "
    "bernoulli multinomial normal poisson rand rand_like randint randint_like "
    "randn randn_like randperm",
    "Serialization": "save load",
    "Parallelism": "get_num_threads set_num_threads get_num_interop_threads "
    "set_num_interop_threads",
    "Gradient mode": "no_grad enable_grad set_grad_enabled is_grad_enabled inference_mode "
    "is_inference_mode_enabled",
    "Pointwise": "abs absolute acos arccos acosh arccosh add addcdiv addcmul angle asin arcsin "
    "asinh arcsinh atan arctan atanh arctanh atan2 arctan2 bitwise_not bitwise_and "
    "bitwise_or bitwise_xor bitwise_left_shift bitwise_right_shift ceil clamp clip "
    "conj_physical copysign cos cosh deg2rad div divide digamma erf erfc erfinv exp "
    "exp2 expm1 fix float_power floor floor_divide fmod frac frexp gradient imag "
    "ldexp lerp lgamma log log10 log1p log2 logaddexp logaddexp2 logical_and "
    "logical_not logical_or logical_xor logit hypot i0 igamma igammac mul multiply "
    "mvlgamma nan_to_num neg negative nextafter polygamma positive pow rad2deg real "
    "reciprocal remainder round rsqrt sigmoid sign sgn signbit sin sinc sinh "
    "softmax sqrt square sub subtract tan tanh true_divide trunc xlogy",
    "Reduction": "argmax argmin amax amin aminmax all any max min dist logsumexp mean nanmean "
    "median nanmedian mode norm nansum prod quantile nanquantile std std_mean sum "
    "unique unique_consecutive var var_mean count_nonzero",
    "Comparison": "allclose argsort eq equal ge greater_equal gt greater isclose isfinite isin "
    "isinf isposinf isneginf isnan isreal kthvalue le less_equal lt less maximum "
    "minimum fmax fmin ne not_equal sort topk msort",
    "Other operations": "atleast_1d atleast_2d atleast_3d bincount block_diag broadcast_tensors "
    "broadcast_to broadcast_shapes bucketize cartesian_prod cdist clone "
    "combinations corrcoef cov cross cummax cummin cumprod cumsum diag "
    "diag_embed diagflat diagonal diff einsum flatten flip fliplr flipud kron "
    "rot90 gcd histc histogram histogramdd meshgrid lcm logcumsumexp ravel "
    "renorm repeat_interleave roll searchsorted tensordot trace tril "
    "tril_indices triu triu_indices unflatten vander",
    "BLAS and LAPACK": "addbmm addmm addmv addr baddbmm bmm chain_matmul cholesky "
    "cholesky_inverse cholesky_solve dot geqrf ger inner inverse det logdet "
    "slogdet lu lu_solve lu_unpack matmul matrix_power matrix_exp mm mv orgqr "
    "ormqr outer pinverse qr svd svd_lowrank pca_lowrank lobpcg trapz "
    "trapezoid cumulative_trapezoid triangular_solve vdot",
    "Utilities": "result_type can_cast promote_types use_deterministic_algorithms "
    "are_deterministic_algorithms_enabled set_float32_matmul_precision "
    "get_float32_matmul_precision vmap",
}

EXTRA = (
    "float float32 double float64 half float16 bfloat16 long int64 int int32 short int16 "
    "uint8 int8 bool dtype device Size Tensor FloatTensor DoubleTensor LongTensor IntTensor "
    "BoolTensor ByteTensor cuda.is_available cuda.device_count backends.mps.is_available "
    "utils.data.Dataset utils.data.IterableDataset utils.data.TensorDataset "
    "utils.data.DataLoader utils.data.Subset utils.data.random_split "
    "utils.data.ConcatDataset utils.data.default_collate autograd.Function "
    "autograd.Variable autograd.grad autograd.backward autograd.gradcheck "
    "autograd.set_detect_anomaly autograd.detect_anomaly"
)
