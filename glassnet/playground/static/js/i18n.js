// The page in two languages, like glassnet's explain tools: English and
// Chinese (the article's). The notation (z, a, δ, ∂L/∂w, η) is the same in both.
const STRINGS = {
  playground: { en: "playground", zh: "游乐场" },
  resetTitle: { en: "Reset the network (new random weights)", zh: "重置网络(重新随机初始化权重)" },
  playTitle: { en: "Run / pause training", zh: "开始 / 暂停训练" },
  stepTitle: { en: "Train one epoch", zh: "训练一轮" },
  epoch: { en: "Epoch", zh: "轮次" },
  learningRate: { en: "Learning rate", zh: "学习率" },
  activation: { en: "Activation", zh: "激活函数" },
  optimizer: { en: "Optimizer", zh: "优化器" },
  regularization: { en: "Regularization", zh: "正则化" },
  regularizationRate: { en: "Regularization rate", zh: "正则化率" },
  dropout: { en: "Dropout", zh: "Dropout" },
  problem: { en: "Problem type", zh: "问题类型" },
  classification: { en: "Classification", zh: "分类" },
  regression: { en: "Regression", zh: "回归" },
  dismiss: { en: "Dismiss", zh: "关闭" },
  data: { en: "Data", zh: "数据" },
  whichData: { en: "Which data set do you want to use?", zh: "选择一个数据集:" },
  trainRatio: { en: "Ratio of training to test data", zh: "训练数据占比" },
  noise: { en: "Noise", zh: "噪声" },
  batchSize: { en: "Batch size", zh: "批大小" },
  points: { en: "Points", zh: "点数" },
  regenerate: { en: "Regenerate", zh: "重新生成" },
  yourData: { en: "Your data", zh: "你自己的数据" },
  uploadHint: { en: "A CSV file: a header row, then x1, x2 and a label (or a number, for regression).",
    zh: "CSV 文件:第一行是表头,之后每行为 x1、x2 和标签(回归问题则为数值)。" },
  uploaded: { en: "{name}: {rows} rows", zh: "{name}:{rows} 行" },
  addLayer: { en: "Add a hidden layer", zh: "增加一个隐藏层" },
  removeLayer: { en: "Remove the last hidden layer", zh: "删除最后一个隐藏层" },
  hiddenLayers: { en: "{n} hidden layers", zh: "{n} 个隐藏层" },
  hiddenLayer1: { en: "1 hidden layer", zh: "1 个隐藏层" },
  features: { en: "Features", zh: "输入特征" },
  outputLayer: { en: "Output", zh: "输出层" },
  neurons: { en: "{n} neurons", zh: "{n} 个神经元" },
  neuron1: { en: "1 neuron", zh: "1 个神经元" },
  addNeuron: { en: "Add a neuron", zh: "增加一个神经元" },
  removeNeuron: { en: "Remove a neuron", zh: "删除一个神经元" },
  networkHint: { en: "Click an input to switch it on or off. Hover over a neuron or a link for its exact values.",
    zh: "点击输入特征可开启或关闭它。把鼠标移到神经元或连线上可看到精确数值。" },
  output: { en: "Output", zh: "输出" },
  testLoss: { en: "Test loss", zh: "测试损失" },
  trainLoss: { en: "Training loss", zh: "训练损失" },
  showTest: { en: "Show test data", zh: "显示测试数据" },
  discretize: { en: "Discretize output", zh: "离散化输出" },
  gradNorms: { en: "Gradient norm per layer, ‖∂L/∂W‖", zh: "各层梯度范数 ‖∂L/∂W‖" },
  layerN: { en: "layer {n}", zh: "第 {n} 层" },
  export: { en: "Export", zh: "导出" },
  exportWeights: { en: "Weights (.safetensors)", zh: "权重(.safetensors)" },
  exportScript: { en: "Python script", zh: "Python 脚本" },
  backwardView: { en: "Backward view", zh: "反向传播视图" },
  backwardHint: { en: "Pick one training point (click it on the output) and step through one training step: the forward values, the loss, δ flowing back layer by layer, then the update.",
    zh: "选一个训练点(在输出图上点击它),逐步查看一步训练:前向传播的数值、损失、δ 逐层往回传,最后是参数更新。" },
  randomPoint: { en: "Random point", zh: "随机选一个点" },
  pointNumber: { en: "Point #", zh: "点的编号" },
  tracePoint: { en: "Trace this point", zh: "追踪这个点" },
  next: { en: "Next ▶", zh: "下一步 ▶" },
  close: { en: "Close", zh: "关闭" },
  stageOf: { en: "Step {k} of {n}: ", zh: "第 {k} 步(共 {n} 步):" },
  backLayer: { en: "{head} — layer {l}", zh: "{head} —— 第 {l} 层" },
  pointInfo: { en: "training point #{i}: x₁ = {x1}, x₂ = {x2}, target y = {y}",
    zh: "训练点 #{i}:x₁ = {x1},x₂ = {x2},目标 y = {y}" },
  updateNote: { en: "One plain gradient-descent step on this point, as glassnet explain shows it (training itself uses {opt}{reg}); it has been written into the network. Next traces the same point again.",
    zh: "这是针对这个点的一步普通梯度下降,与 glassnet explain 显示的相同(训练本身使用 {opt}{reg});新参数已写回网络。点“下一步”会再次追踪同一个点。" },
  regNote: { en: " and its regularization", zh: " 及其正则化" },
  dropoutNote: { en: "Dropout is off while one point is explained.", zh: "解释单个点时不使用 dropout。" },
  layerTitle: { en: "{layer}, neuron {i}", zh: "{layer},第 {i} 个神经元" },
  inputTitle: { en: "input {name}", zh: "输入 {name}" },
  hiddenN: { en: "hidden layer {n}", zh: "隐藏层 {n}" },
  bias: { en: "bias b", zh: "偏置 b" },
  weight: { en: "weight w", zh: "权重 w" },
  from: { en: "from", zh: "来自" },
  to: { en: "to", zh: "到" },
  classN: { en: "class {c}", zh: "类别 {c}" },
  connectionLost: { en: "The connection to the server was lost. Is `glassnet playground` still running? Reload the page to start again.",
    zh: "与服务器的连接已断开。`glassnet playground` 还在运行吗?请刷新页面重新开始。" },
  badLink: { en: "This link's settings were refused, so the defaults are used: {msg}",
    zh: "链接中的设置被拒绝,已改用默认设置:{msg}" },
  footer: { en: "Trained by glassnet on this machine; the numbers of the backward view are glassnet explain's.",
    zh: "由 glassnet 在本机训练;反向传播视图中的数值与 glassnet explain 给出的一致。" },
  ds_circle: { en: "Circle", zh: "圆形" }, ds_xor: { en: "Exclusive or", zh: "异或" },
  ds_gauss: { en: "Gaussian", zh: "高斯" }, ds_spiral: { en: "Spiral", zh: "螺旋" },
  ds_spirals3: { en: "3 spirals", zh: "三条螺旋" }, ds_blobs4: { en: "4 blobs", zh: "四团点" },
  ds_plane: { en: "Plane", zh: "平面" }, ds_multigauss: { en: "Multi-Gaussian", zh: "多高斯" },
  ds_csv: { en: "Uploaded CSV", zh: "上传的 CSV" },
  act_tanh: { en: "Tanh", zh: "Tanh" }, act_relu: { en: "ReLU", zh: "ReLU" },
  act_sigmoid: { en: "Sigmoid", zh: "Sigmoid" }, act_linear: { en: "Linear", zh: "线性" },
  act_leaky_relu: { en: "Leaky ReLU", zh: "Leaky ReLU" }, act_elu: { en: "ELU", zh: "ELU" },
  act_gelu: { en: "GELU", zh: "GELU" }, act_softplus: { en: "Softplus", zh: "Softplus" },
  act_mixed: { en: "(per layer)", zh: "(逐层设置)" },
  opt_sgd: { en: "SGD", zh: "SGD" }, opt_momentum: { en: "SGD + momentum", zh: "SGD + 动量" },
  opt_adam: { en: "Adam", zh: "Adam" }, opt_adamw: { en: "AdamW", zh: "AdamW" },
  opt_rmsprop: { en: "RMSprop", zh: "RMSprop" }, opt_adagrad: { en: "Adagrad", zh: "Adagrad" },
  reg_none: { en: "None", zh: "无" }, reg_l1: { en: "L1", zh: "L1" }, reg_l2: { en: "L2", zh: "L2" },
};

let lang = "en";

export function setLang(l) { lang = l === "zh" ? "zh" : "en"; document.documentElement.lang = lang === "zh" ? "zh-CN" : "en"; }
export function getLang() { return lang; }

export function t(key, params = {}) {
  const entry = STRINGS[key];
  let s = entry ? entry[lang] : key;
  for (const [k, v] of Object.entries(params)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

// Fill every [data-i18n] element's text and [data-i18n-title] element's tooltip.
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
}
