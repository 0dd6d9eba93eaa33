"""course_utils: the shared package of the course "From Neurons to Transformers".

It is laid out like PyTorch itself, so you know where to look:

    nn.functional  from-scratch functions mirroring torch.nn.functional (conv2d, cross_entropy, ...)
    nn             from-scratch modules mirroring torch.nn (MultiheadAttention, ...)
    optim          from-scratch optimizers mirroring torch.optim; the lr range test; 2-D surfaces
    models         the course's named models (LeNet, TinyGPT, ...) and pretrained loaders
    data           offline data sets, character vocabularies, language-model batches
    train          one fit loop for classifiers, step loops for sequence models
    metrics        confusion matrix, exact match, recall@k and NDCG@k
    retrieval      search: BM25 and cosine similarity
    inspection     shapes layer by layer, gradients through time
    viz            static figures for the book
    widgets        ipywidgets explorers
    exercises      checkers that grade your exercise answers
    scaling        parameters, FLOPs, memory and training time of a Transformer
    device         pick CUDA > MPS > CPU, seeding;  timing: measure fairly

Example:
    >>> import course_utils
    >>> course_utils.__version__
    '0.2.0'
"""

__version__ = "0.2.0"
