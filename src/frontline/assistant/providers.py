"""Text generation endpoints, behind one small interface (a registry, as for mail).

Only the OpenAI chat-completions protocol so far: Ollama, vLLM, llama.cpp's server and
OpenAI itself all speak it. The endpoint is the workspace's own configured service; no
other network is used.
"""

import httpx


class ProviderError(Exception):
    """The endpoint failed. `permanent`: retrying will not help (bad key, bad model)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class OpenAICompatible:
    name = "openai_compatible"

    def __init__(self, base_url: str, model: str, api_key: str = "", timeout: float = 15.0):
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = api_key
        self.timeout = timeout

    def complete(self, messages: list[dict]) -> str:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = {"model": self.model, "messages": messages, "temperature": 0}
        try:
            answer = httpx.post(self.url, json=body, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise ProviderError(f"cannot reach {self.url}: {exc}") from exc
        if answer.status_code >= 400:
            permanent = answer.status_code in (400, 401, 403, 404)
            raise ProviderError(
                f"{self.url} answered {answer.status_code}: {answer.text[:200]}",
                permanent=permanent,
            )
        try:
            return answer.json()["choices"][0]["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ProviderError(f"{self.url} did not answer as the API does") from exc


PROVIDERS = {OpenAICompatible.name: OpenAICompatible}
