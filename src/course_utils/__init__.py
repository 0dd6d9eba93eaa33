"""course_utils: the shared package of the course "From Neurons to Transformers".

Modules:
    device   pick CUDA > MPS > CPU (or what ``DEVICE`` / ``COURSE_DEVICE`` says), seeding, Colab
    data     offline data sets (MNIST digits, photos) and augmentation
    nn       from-scratch layers, each checked against PyTorch
    train    one readable fit / evaluate loop
    viz      static figures for the book
    widgets  ipywidgets explorers
    checks   exercise checkers

Example:
    >>> import course_utils
    >>> course_utils.__version__
    '0.1.0'
"""

__version__ = "0.1.0"
