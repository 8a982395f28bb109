"""Knowledge work done by the task worker."""

from django.tasks import task

from frontline.knowledge import retrieval
from frontline.knowledge.models import Article


@task(queue_name="ai")
def index_article(article_id: int) -> int:
    """Passages and embeddings of an article after a save (idempotent: rebuilt whole)."""
    article = Article.objects.filter(pk=article_id).first()
    return retrieval.index(article) if article else 0
