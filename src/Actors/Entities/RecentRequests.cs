namespace Actors.Entities;

/// <summary>The last <c>capacity</c> request ids an entity applied, oldest forgotten first.</summary>
internal sealed class RecentRequests(int capacity)
{
    private readonly Queue<string> _order = new();
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    public bool Contains(string id) => _ids.Contains(id);

    public void Add(string id)
    {
        if (capacity <= 0 || !_ids.Add(id))
        {
            return;
        }

        _order.Enqueue(id);
        while (_order.Count > capacity)
        {
            _ids.Remove(_order.Dequeue());
        }
    }

    public string[] ToArray() => _order.ToArray();
}
