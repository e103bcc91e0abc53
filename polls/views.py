from django.views.generic import DetailView, ListView

from polls.models import Poll


class PollListView(ListView):
    template_name = "polls/poll_list.html"
    context_object_name = "polls"
    paginate_by = 20

    def get_queryset(self):
        return Poll.objects.public().prefetch_related("choices")


class PollDetailView(DetailView):
    template_name = "polls/poll_detail.html"
    context_object_name = "poll"

    def get_queryset(self):
        return Poll.objects.public().prefetch_related("choices")
