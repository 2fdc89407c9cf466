"""Example for the lesson "ml-basics" / 机器学习基础.

Run it with `dlquest run ml-basics` (or `python dlquest/lessons/examples/ml_basics.py`).
Offline (the data sets ship with scikit-learn), deterministic, a few seconds.

1. Supervised and unsupervised learning on the same wine measurements.
2. A train / validation / test split.
3. Under- and overfitting: polynomial degree against training and validation error (plot).
4. Tree depth against training and validation accuracy (plot).
5. k-fold cross-validation by hand and with cross_val_score.
6. Metrics: a confusion matrix counted by hand; accuracy, precision, recall, F1; MSE, MAE, RMSE.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans
from sklearn.datasets import load_wine
from sklearn.metrics import accuracy_score, f1_score, mean_squared_error, precision_score, recall_score
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from termplot import heading, plot_curves

X_WINE, Y_WINE = load_wine(return_X_y=True)


def part_supervised_unsupervised() -> None:
    heading("Supervised and unsupervised", "监督学习与无监督学习")
    X_train, X_test, y_train, y_test = train_test_split(X_WINE, Y_WINE, test_size=0.3, random_state=0,
                                                        stratify=Y_WINE)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X_train, y_train)
    print(f"supervised / 监督: a depth-3 tree learns from labels, test accuracy {tree.score(X_test, y_test):.3f}")
    scaled = StandardScaler().fit_transform(X_WINE)
    clusters = KMeans(n_clusters=3, n_init=10, random_state=0).fit_predict(scaled)
    print("unsupervised / 无监督: k-means finds 3 groups without labels; rows = true class, columns = cluster")
    table = np.zeros((3, 3), dtype=int)
    for label, cluster in zip(Y_WINE, clusters):
        table[label, cluster] += 1
    print("           cluster 0  cluster 1  cluster 2")
    for label, row in enumerate(table):
        print(f"  class {label}  " + "  ".join(f"{count:9d}" for count in row))
    print("each class lands mostly in one cluster: the groups were found, their names were not / 簇与类别大体对应")


def part_split() -> None:
    heading("Train, validation and test", "训练集、验证集与测试集")
    X_rest, X_test, y_rest, y_test = train_test_split(X_WINE, Y_WINE, test_size=0.2, random_state=0,
                                                      stratify=Y_WINE)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.25, random_state=0,
                                                      stratify=y_rest)
    print(f"178 samples -> train {len(X_train)}, validation {len(X_val)}, test {len(X_test)}  (60/20/20)")
    for name, y in (("train", y_train), ("validation", y_val), ("test", y_test)):
        print(f"  {name:>10}: class shares / 各类占比 {np.round(np.bincount(y) / len(y), 2).tolist()}")


def part_polynomial() -> None:
    heading("Under- and overfitting", "欠拟合与过拟合")
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=15)
    y = np.sin(3 * x) + rng.normal(0, 0.2, size=15)
    x_val = rng.uniform(-1, 1, size=200)
    y_val = np.sin(3 * x_val) + rng.normal(0, 0.2, size=200)
    degrees = list(range(0, 13))
    train_mse, val_mse = [], []
    for degree in degrees:
        coefficients = np.polynomial.polynomial.polyfit(x, y, degree)
        train_mse.append(float(np.mean((np.polynomial.polynomial.polyval(x, coefficients) - y) ** 2)))
        val_mse.append(float(np.mean((np.polynomial.polynomial.polyval(x_val, coefficients) - y_val) ** 2)))
    for degree in (1, 4, 12):
        print(f"degree {degree:2d}: train MSE {train_mse[degree]:.4f}, validation MSE {val_mse[degree]:.4f}")
    best = int(np.argmin(val_mse))
    print(f"lowest validation error at degree {best} / 验证误差在 {best} 次时最低")
    plot_curves("MSE against polynomial degree (log10)", degrees,
                {"train": np.log10(train_mse).tolist(), "validation": np.log10(val_mse).tolist()})


def part_tree_depth() -> None:
    heading("Tree depth: train vs validation accuracy", "树深度：训练与验证准确率")
    X_train, X_val, y_train, y_val = train_test_split(X_WINE, Y_WINE, test_size=0.3, random_state=1,
                                                      stratify=Y_WINE)
    depths = list(range(1, 9))
    train_acc, val_acc = [], []
    for depth in depths:
        tree = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X_train, y_train)
        train_acc.append(tree.score(X_train, y_train))
        val_acc.append(tree.score(X_val, y_val))
    print("depth:     ", " ".join(f"{d:5d}" for d in depths))
    print("train:     ", " ".join(f"{a:5.2f}" for a in train_acc))
    print("validation:", " ".join(f"{a:5.2f}" for a in val_acc))
    plot_curves("accuracy against max_depth", depths, {"train": train_acc, "validation": val_acc})


def part_cross_validation() -> None:
    heading("k-fold cross-validation", "k 折交叉验证")
    folds = KFold(n_splits=5, shuffle=True, random_state=0)
    accuracies = []
    for k, (train_index, test_index) in enumerate(folds.split(X_WINE), start=1):
        tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X_WINE[train_index], Y_WINE[train_index])
        accuracies.append(tree.score(X_WINE[test_index], Y_WINE[test_index]))
        print(f"  fold {k}: train on {len(train_index)}, test on {len(test_index)}, accuracy {accuracies[-1]:.3f}")
    print(f"mean / 均值 {np.mean(accuracies):.3f} ± std / 标准差 {np.std(accuracies):.3f}")
    same = cross_val_score(DecisionTreeClassifier(max_depth=3, random_state=0), X_WINE, Y_WINE, cv=folds)
    print("cross_val_score with the same KFold / 用同一个 KFold:", np.round(same, 3).tolist())
    # The wine data are stored sorted by class. Plain KFold without shuffling cuts them in order: each fold
    # holds mostly one or two classes. cv=5 on a classifier is StratifiedKFold(5): unshuffled too, but every
    # fold keeps the class proportions.
    print("classes in order / 按顺序的类别:", Y_WINE[:3].tolist(), "…", Y_WINE[-3:].tolist())
    unshuffled = cross_val_score(DecisionTreeClassifier(max_depth=3, random_state=0), X_WINE, Y_WINE,
                                 cv=KFold(n_splits=5))
    print("KFold(5), not shuffled / 不打乱的 KFold:", np.round(unshuffled, 3).tolist(),
          f"mean {unshuffled.mean():.3f}")
    stratified = cross_val_score(DecisionTreeClassifier(max_depth=3, random_state=0), X_WINE, Y_WINE, cv=5)
    print("cv=5, i.e. StratifiedKFold(5) / 分层折:", np.round(stratified, 3).tolist(),
          f"mean {stratified.mean():.3f}")
    first_fold = next(KFold(n_splits=5).split(X_WINE))[1]
    kept = next(StratifiedKFold(n_splits=5).split(X_WINE, Y_WINE))[1]
    print("classes in the first test fold / 第一折测试集的类别分布:",
          "KFold", np.bincount(Y_WINE[first_fold], minlength=3).tolist(),
          "StratifiedKFold", np.bincount(Y_WINE[kept], minlength=3).tolist())


def part_metrics() -> None:
    heading("Metrics", "评估指标")
    y_true = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    y_pred = np.array([1, 1, 1, 0, 1, 0, 0, 0, 0, 0])
    tp = int(np.sum((y_pred == 1) & (y_true == 1)))
    fp = int(np.sum((y_pred == 1) & (y_true == 0)))
    fn = int(np.sum((y_pred == 0) & (y_true == 1)))
    tn = int(np.sum((y_pred == 0) & (y_true == 0)))
    print(f"TP = {tp}, FP = {fp}, FN = {fn}, TN = {tn}")
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    print(f"by hand / 手算:   accuracy {(tp + tn) / len(y_true):.3f}, precision {precision:.3f}, "
          f"recall {recall:.3f}, F1 {f1:.3f}")
    print(f"scikit-learn:    accuracy {accuracy_score(y_true, y_pred):.3f}, "
          f"precision {precision_score(y_true, y_pred):.3f}, recall {recall_score(y_true, y_pred):.3f}, "
          f"F1 {f1_score(y_true, y_pred):.3f}")
    always_zero = np.zeros_like(y_true)
    print(f"predicting 0 always / 全部预测为 0: accuracy {accuracy_score(y_true, always_zero):.2f}, "
          f"recall {recall_score(y_true, always_zero):.2f}")
    y = np.array([3.0, -0.5, 2.0, 7.0])
    y_hat = np.array([2.5, 0.0, 2.0, 8.0])
    mse = mean_squared_error(y, y_hat)
    print(f"regression / 回归: MSE {mse:.4f}, MAE {np.mean(np.abs(y - y_hat)):.4f}, RMSE {np.sqrt(mse):.4f}")


def main() -> None:
    part_supervised_unsupervised()
    part_split()
    part_polynomial()
    part_tree_depth()
    part_cross_validation()
    part_metrics()


if __name__ == "__main__":
    main()
