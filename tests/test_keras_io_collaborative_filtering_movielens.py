"""keras.io's example "Collaborative Filtering for Movie Recommendations" (examples/structured_data/collaborative_filtering_movielens.py),
run renamed on a stand-in ml-latest-small.zip written locally (600 ratings of 29 users and 133
movies, and the movies' titles and genres; the example downloads it with keras.utils.get_file,
here it is made in place): the ZipFile extraction, pandas encodings, df.sample(random_state=42),
the RecommenderNet(keras.Model) with four Embeddings (he_normal, l2 regularizers),
ops.tensordot(user_vector, movie_vector, 2) and ops.nn.sigmoid, BinaryCrossentropy and
Adam(learning_rate=0.001), fit with validation_data, the subclassed model's summary after training
(with its optimizer's parameters), predict, the recommendations. TF_OUTPUT was recorded under
TensorFlow 2.21 / Keras 3.15; the seeded starting weights give the same training to 1e-3.
"""
import contextlib
import io

from conftest import _numbers_close, renamed

from glassnet import keras

PROGRAM = """\
import os, tempfile
from pathlib import Path
import numpy as np
import pandas as pd
from zipfile import ZipFile
import keras
from keras import layers
from keras import ops
keras.utils.set_random_seed(0)
os.chdir(tempfile.mkdtemp())
r = np.random.default_rng(0)       # stand-in ml-latest-small.zip: ratings.csv and movies.csv
ratings = pd.DataFrame({"userId": r.integers(1, 30, 600), "movieId": r.choice(np.arange(1, 400, 3), 600),
                        "rating": r.integers(1, 11, 600) / 2, "timestamp": r.integers(9e8, 1.5e9, 600)})
movies = pd.DataFrame({"movieId": np.arange(1, 400, 3), "title": [f"Movie {i} (19{i % 100:02d})" for i in np.arange(1, 400, 3)],
                       "genres": ["Comedy|Drama" if i % 2 else "Action" for i in np.arange(1, 400, 3)]})
with ZipFile("ml-latest-small.zip", "w") as z:
    z.writestr("ml-latest-small/ratings.csv", ratings.to_csv(index=False))
    z.writestr("ml-latest-small/movies.csv", movies.to_csv(index=False))
movielens_zipped_file = os.path.abspath("ml-latest-small.zip")
keras_datasets_path = Path(movielens_zipped_file).parents[0]
movielens_dir = keras_datasets_path / "ml-latest-small"
if not movielens_dir.exists():
    with ZipFile(movielens_zipped_file, "r") as zip:
        print("Extracting all the files now...")
        zip.extractall(path=keras_datasets_path)
        print("Done!")
ratings_file = movielens_dir / "ratings.csv"
df = pd.read_csv(ratings_file)
user_ids = df["userId"].unique().tolist()
user2user_encoded = {x: i for i, x in enumerate(user_ids)}
userencoded2user = {i: x for i, x in enumerate(user_ids)}
movie_ids = df["movieId"].unique().tolist()
movie2movie_encoded = {x: i for i, x in enumerate(movie_ids)}
movie_encoded2movie = {i: x for i, x in enumerate(movie_ids)}
df["user"] = df["userId"].map(user2user_encoded)
df["movie"] = df["movieId"].map(movie2movie_encoded)
num_users = len(user2user_encoded)
num_movies = len(movie_encoded2movie)
df["rating"] = df["rating"].values.astype(np.float32)
min_rating = min(df["rating"])
max_rating = max(df["rating"])
print(
    "Number of users: {}, Number of Movies: {}, Min rating: {}, Max rating: {}".format(
        num_users, num_movies, min_rating, max_rating
    )
)
df = df.sample(frac=1, random_state=42)
x = df[["user", "movie"]].values
y = df["rating"].apply(lambda x: (x - min_rating) / (max_rating - min_rating)).values
train_indices = int(0.9 * df.shape[0])
x_train, x_val, y_train, y_val = (
    x[:train_indices],
    x[train_indices:],
    y[:train_indices],
    y[train_indices:],
)
print(x_train.dtype, x_train.shape, y_train.dtype)
EMBEDDING_SIZE = 50

class RecommenderNet(keras.Model):
    def __init__(self, num_users, num_movies, embedding_size, **kwargs):
        super().__init__(**kwargs)
        self.num_users = num_users
        self.num_movies = num_movies
        self.embedding_size = embedding_size
        self.user_embedding = layers.Embedding(
            num_users,
            embedding_size,
            embeddings_initializer="he_normal",
            embeddings_regularizer=keras.regularizers.l2(1e-6),
        )
        self.user_bias = layers.Embedding(num_users, 1)
        self.movie_embedding = layers.Embedding(
            num_movies,
            embedding_size,
            embeddings_initializer="he_normal",
            embeddings_regularizer=keras.regularizers.l2(1e-6),
        )
        self.movie_bias = layers.Embedding(num_movies, 1)

    def call(self, inputs):
        user_vector = self.user_embedding(inputs[:, 0])
        user_bias = self.user_bias(inputs[:, 0])
        movie_vector = self.movie_embedding(inputs[:, 1])
        movie_bias = self.movie_bias(inputs[:, 1])
        dot_user_movie = ops.tensordot(user_vector, movie_vector, 2)
        # Add all the components (including bias)
        x = dot_user_movie + user_bias + movie_bias
        # The sigmoid activation forces the rating to between 0 and 1
        return ops.nn.sigmoid(x)

model = RecommenderNet(num_users, num_movies, EMBEDDING_SIZE)
model.compile(
    loss=keras.losses.BinaryCrossentropy(),
    optimizer=keras.optimizers.Adam(learning_rate=0.001),
)
history = model.fit(
    x=x_train,
    y=y_train,
    batch_size=64,
    epochs=3,
    verbose=2,
    validation_data=(x_val, y_val),
)
print(history.history)
model.summary()
movie_df = pd.read_csv(movielens_dir / "movies.csv")
user_id = df.userId.sample(1, random_state=1).iloc[0]
movies_watched_by_user = df[df.userId == user_id]
movies_not_watched = movie_df[
    ~movie_df["movieId"].isin(movies_watched_by_user.movieId.values)
]["movieId"]
movies_not_watched = list(
    set(movies_not_watched).intersection(set(movie2movie_encoded.keys()))
)
movies_not_watched = [[movie2movie_encoded.get(x)] for x in movies_not_watched]
user_encoder = user2user_encoded.get(user_id)
user_movie_array = np.hstack(
    ([[user_encoder]] * len(movies_not_watched), movies_not_watched)
)
ratings = model.predict(user_movie_array, verbose=0).flatten()
print(ratings.shape, ratings.dtype)
top_ratings_indices = ratings.argsort()[-10:][::-1]
recommended_movie_ids = [
    movie_encoded2movie.get(movies_not_watched[x][0]) for x in top_ratings_indices
]
print("Showing recommendations for user: {}".format(user_id))
print("====" * 9)
print("Movies with high ratings from user")
print("----" * 8)
top_movies_user = (
    movies_watched_by_user.sort_values(by="rating", ascending=False)
    .head(5)
    .movieId.values
)
movie_df_rows = movie_df[movie_df["movieId"].isin(top_movies_user)]
for row in movie_df_rows.itertuples():
    print(row.title, ":", row.genres)
print("----" * 8)
print("Top 10 movie recommendations")
print("----" * 8)
recommended_movies = movie_df[movie_df["movieId"].isin(recommended_movie_ids)]
for row in recommended_movies.itertuples():
    print(row.title, ":", row.genres)
"""

TF_OUTPUT = [
    'Extracting all the files now...',
    'Done!',
    'Number of users: 29, Number of Movies: 133, Min rating: 0.5, Max rating: 5.0',
    'int64 (540, 2) float64',
    'Epoch 1/3',
    '9/9 - 9s - 998ms/step - loss: 1.0036 - val_loss: 0.6915',
    'Epoch 2/3',
    '9/9 - 1s - 152ms/step - loss: 0.6989 - val_loss: 0.6911',
    'Epoch 3/3',
    '9/9 - 1s - 140ms/step - loss: 0.7174 - val_loss: 0.6911',
    "{'loss': [1.0035630464553833, 0.6989128589630127, 0.7173956036567688], 'val_loss': [0.6914844512939453, 0.6910852789878845, 0.6910986304283142]}",
    'Model: "recommender_net"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ embedding (Embedding)           │ (None, 50)             │         1,450 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ embedding_1 (Embedding)         │ (None, 1)              │            29 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ embedding_2 (Embedding)         │ (None, 50)             │         6,650 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ embedding_3 (Embedding)         │ (None, 1)              │           133 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 24,788 (96.83 KB)',
    ' Trainable params: 8,262 (32.27 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 16,526 (64.56 KB)',
    '(118,) float32',
    'Showing recommendations for user: 7',
    '====================================',
    'Movies with high ratings from user',
    '--------------------------------',
    'Movie 97 (1997) : Comedy|Drama',
    'Movie 124 (1924) : Action',
    'Movie 241 (1941) : Comedy|Drama',
    'Movie 367 (1967) : Comedy|Drama',
    'Movie 394 (1994) : Action',
    '--------------------------------',
    'Top 10 movie recommendations',
    '--------------------------------',
    'Movie 223 (1923) : Comedy|Drama',
    'Movie 226 (1926) : Action',
    'Movie 259 (1959) : Comedy|Drama',
    'Movie 265 (1965) : Comedy|Drama',
    'Movie 274 (1974) : Action',
    'Movie 277 (1977) : Comedy|Drama',
    'Movie 283 (1983) : Comedy|Drama',
    'Movie 295 (1995) : Comedy|Drama',
    'Movie 307 (1907) : Comedy|Drama',
    'Movie 313 (1913) : Comedy|Drama',
    '',
]


def test_collaborative_filtering_movielens():
    keras.backend.clear_session()               # layer names count as in a fresh process
    epochs = [i for i, line in enumerate(TF_OUTPUT) if line.startswith("9/9 - ")]
    history = [i for i, line in enumerate(TF_OUTPUT) if line.startswith("{'loss'")]
    wanted = [line.split(" - ", 3)[-1] if i in epochs else line      # (the epochs' times differ:
              for i, line in enumerate(TF_OUTPUT)]                    # their numbers are compared)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(renamed(PROGRAM), "collaborative_filtering_movielens", "exec"), {})
    lines = out.getvalue().split("\n")
    assert len(lines) == len(wanted), "\n".join(lines)
    for i, (got, want) in enumerate(zip(lines, wanted)):
        if i in epochs:
            assert _numbers_close(got.split(" - ", 3)[-1], want, rtol=1e-3), (got, want)
        elif i in history:
            assert _numbers_close(got, want, rtol=1e-3), (got, want)
        else:
            assert got == want, (got, want)


def test_ops_nn_is_keras_ops_second_spelling():
    from glassnet.keras import ops
    assert ops.nn.sigmoid is ops.sigmoid and ops.nn.softmax is ops.softmax
    assert float(ops.nn.relu(-1.0)) == 0.0
